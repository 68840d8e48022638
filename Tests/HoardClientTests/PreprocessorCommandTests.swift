import Foundation
import Testing

@testable import HoardClient

struct PreprocessorCommandTests {
    static func driverAnswer(_ arguments: [String]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gcc")
        process.arguments = arguments + ["-###"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    @Test func `gcc's preprocessor command for -E is found in its -### answer`() throws {
        let answer = try Self.driverAnswer(["-O2", "-DNAME=value with spaces", "-Iinclude", "-E", "x.c"])
        let command = try #require(CompileSession.singlePreprocessorCommand(answer))
        #expect(URL(fileURLWithPath: command[0]).lastPathComponent == "cc1")
        #expect(command.contains("-E") && command.contains("x.c") && command.contains("-O2"))
        #expect(command.contains("NAME=value with spaces"))
    }

    @Test func `anything but one plain preprocessor command keeps the driver`() throws {
        // A compile and assemble is two commands.
        #expect(CompileSession.singlePreprocessorCommand(try Self.driverAnswer(["-c", "x.c"])) == nil)
        let compile = Array(" \"/usr/lib/gcc/x86_64-linux-gnu/12/cc1\" \"-quiet\" \"x.c\"\n".utf8)
        #expect(CompileSession.singlePreprocessorCommand(compile) == nil, "no -E")
        let escaped = try Self.driverAnswer(["-DNAME=\"quoted\"", "-E", "x.c"])
        #expect(CompileSession.singlePreprocessorCommand(escaped) == nil, "an escaped quote")
        let relative = Array(" cc1 -E x.c\n".utf8)
        #expect(CompileSession.singlePreprocessorCommand(relative) == nil, "not an absolute path")
    }
}
