import Foundation
import Testing

@testable import HoardClient

struct AbsentNamesTests {
    @Test func `a directory read once answers which names are absent, in any letter case`() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: directory + "/present.h", contents: Data()))
        let names = AbsentNames(directory: directory, names: 1000)
        #expect(names.isAbsent("missing.h"))
        #expect(!names.isAbsent("present.h"))
        // Another case is checked with stat: present on a case-insensitive file system only.
        #expect(names.isAbsent("PRESENT.h") == !FileManager.default.fileExists(atPath: directory + "/PRESENT.h"))
        #expect(AbsentNames(directory: directory + "/no-such-directory", names: 1).isAbsent("present.h"))
        // Answered from the one read, without a `stat` per name.
        #expect(FileManager.default.createFile(atPath: directory + "/late.h", contents: Data()))
        #expect(names.isAbsent("late.h"))
    }

    @Test func `a directory holding a name that is not ASCII is answered by stat`() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(FileManager.default.createFile(atPath: directory + "/\u{212A}.h", contents: Data()))
        #expect(FileManager.default.createFile(atPath: directory + "/k.h", contents: Data()))
        let names = AbsentNames(directory: directory, names: 1000)
        // Created after the read: only `stat` can see it.
        #expect(FileManager.default.createFile(atPath: directory + "/late.h", contents: Data()))
        #expect(!names.isAbsent("late.h"))
        #expect(!names.isAbsent("k.h"))
        #expect(names.isAbsent("x.h"))
    }

    @Test func `a large directory asked about few names is answered by stat`() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for index in 0..<400 {
            #expect(FileManager.default.createFile(atPath: directory + "/header-\(index).h", contents: Data()))
        }
        let names = AbsentNames(directory: directory, names: 2)
        #expect(FileManager.default.createFile(atPath: directory + "/late.h", contents: Data()))
        #expect(!names.isAbsent("late.h"))
        #expect(!names.isAbsent("header-7.h"))
        #expect(names.isAbsent("other.h"))
    }
}
