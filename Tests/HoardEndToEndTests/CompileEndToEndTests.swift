import Foundation
import Testing

/// Real gcc and clang through the built `hoard`: hits must equal uncached compiles byte for byte.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct CompileEndToEndTests {
    static let compilers = ["gcc", "clang"]

    static let warningSource = """
        #include <stdio.h>
        #warning careful
        int f(int x) { int unused; printf("%d\\n", "s"); return x; }
        """

    @Test(arguments: compilers)
    func `a hit restores the object byte for byte and replays warnings and status`(compiler: String) throws {
        let sandbox = try Sandbox("hit")
        try sandbox.write("w.c", Self.warningSource)
        let direct = try sandbox.run([compiler, "-c", "w.c", "-Wall", "-o", "direct.o"])
        let miss = try sandbox.hoard([compiler, "-c", "w.c", "-Wall", "-o", "cached.o"])
        #expect(miss.status == direct.status)
        #expect(miss.stderrText == direct.stderrText.replacingOccurrences(of: "direct.o", with: "cached.o"))
        #expect(try sandbox.read("cached.o") == sandbox.read("direct.o"))
        try FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("cached.o"))
        let hit = try sandbox.hoard([compiler, "-c", "w.c", "-Wall", "-o", "cached.o"])
        #expect(hit.status == 0)
        #expect(hit.stdout == miss.stdout)
        #expect(hit.stderr == miss.stderr)
        #expect(!hit.stderrText.contains("\u{1b}"))
        #expect(try sandbox.read("cached.o") == sandbox.read("direct.o"))
        let stats = try sandbox.stats()
        #expect(((stats["preprocessed_hits"] as? Int ?? 0) + (stats["direct_hits"] as? Int ?? 0)) == 1)
        #expect(stats["misses"] as? Int == 1)
        #expect(stats["stores"] as? Int == 1)
        #expect(stats["requests"] as? Int == 2)
    }

    @Test(arguments: compilers)
    func `a failing compile reports the compiler's status and errors and stores nothing`(compiler: String) throws {
        let sandbox = try Sandbox("fail")
        try sandbox.write("bad.c", "int f( { return; }\n")
        let direct = try sandbox.run([compiler, "-c", "bad.c"])
        let first = try sandbox.hoard([compiler, "-c", "bad.c"])
        let second = try sandbox.hoard([compiler, "-c", "bad.c"])
        #expect(direct.status != 0)
        #expect(first.status == direct.status && second.status == direct.status)
        #expect(first.stderr == direct.stderr && second.stderr == direct.stderr)
        #expect(try sandbox.stat("compile_failures") == 2)
        #expect(try sandbox.stat("stores") == 0)
    }

    @Test func `a multi-file C++ program builds from hits into a working binary`() throws {
        let sandbox = try Sandbox("cxx")
        try sandbox.write("shape.hpp", "#pragma once\n#include <string>\nstd::string describe(int sides);\n")
        try sandbox.write(
            "shape.cpp",
            "#include \"shape.hpp\"\n#include <vector>\nstd::string describe(int n) { std::vector<std::string> v{\"point\",\"line\",\"angle\",\"triangle\"}; return n < 4 ? v[n] : std::to_string(n) + \"-gon\"; }\n"
        )
        try sandbox.write(
            "main.cpp",
            "#include \"shape.hpp\"\n#include <iostream>\nint main() { for (int i = 2; i < 6; ++i) std::cout << describe(i) << '\\n'; }\n"
        )
        for round in 0..<2 {
            for file in ["shape", "main"] {
                let result = try sandbox.hoard(["g++", "-std=c++17", "-O2", "-c", "\(file).cpp", "-o", "\(file).o"])
                #expect(result.status == 0, "round \(round): \(result.stderrText)")
            }
            try sandbox.run(["g++", "shape.o", "main.o", "-o", "shapes"])
            let output = try sandbox.run([sandbox.work.appendingPathComponent("shapes").path])
            #expect(output.stdoutText == "angle\ntriangle\n4-gon\n5-gon\n")
        }
        try sandbox.run(["g++", "-std=c++17", "-O2", "-c", "main.cpp", "-o", "direct.o"])
        #expect(try sandbox.read("main.o") == sandbox.read("direct.o"))
        #expect(try sandbox.hits() == 2)
    }

    @Test(arguments: compilers)
    func `assembler with the preprocessor is cached`(compiler: String) throws {
        let sandbox = try Sandbox("asm")
        try sandbox.write("start.S", "#define VALUE 42\n.globl value\n.data\nvalue: .long VALUE\n")
        try sandbox.write("plain.s", ".globl other\n.data\nother: .long 7\n")
        for _ in 0..<2 {
            #expect(try sandbox.hoard([compiler, "-c", "start.S", "-o", "start.o"]).status == 0)
            #expect(try sandbox.hoard([compiler, "-c", "plain.s", "-o", "plain.o"]).status == 0)
        }
        try sandbox.run([compiler, "-c", "start.S", "-o", "direct.o"])
        #expect(try sandbox.read("start.o") == sandbox.read("direct.o"))
        #expect(try sandbox.hits() == 2)
    }

    @Test func `Objective-C compiles are cached where the compiler supports them`() throws {
        let sandbox = try Sandbox("objc")
        try sandbox.write(
            "o.m",
            "static int twice(int x) { return 2 * x; }\nint objc_value(void) { return twice(21); }\n"
        )
        for _ in 0..<2 { #expect(try sandbox.hoard(["clang", "-c", "o.m", "-o", "o.o"]).status == 0) }
        try sandbox.run(["clang", "-c", "o.m", "-o", "direct.o"])
        #expect(try sandbox.read("o.o") == sandbox.read("direct.o"))
        #expect(try sandbox.hits() == 1)
    }

    @Test(arguments: compilers)
    func `dependency files name the requested object and are never stale`(compiler: String) throws {
        let sandbox = try Sandbox("deps")
        try sandbox.write("a.h", "#define A 1\n")
        try sandbox.write("a.c", "#include \"a.h\"\nint a = A;\n")
        try FileManager.default.createDirectory(
            at: sandbox.work.appendingPathComponent("deps"),
            withIntermediateDirectories: true
        )
        for round in 0..<2 {
            for name in ["one", "two"] {
                let result = try sandbox.hoard([
                    compiler, "-c", "a.c", "-o", "\(name).o", "-MD", "-MF", "deps/\(name).d",
                ])
                #expect(result.status == 0, "round \(round)")
            }
        }
        try sandbox.run([compiler, "-c", "a.c", "-o", "two.o", "-MD", "-MF", "direct.d"])
        #expect(try sandbox.read("deps/two.d") == sandbox.read("direct.d"))
        #expect(String(decoding: try sandbox.read("deps/one.d"), as: UTF8.self).hasPrefix("one.o:"))
        #expect(String(decoding: try sandbox.read("deps/two.d"), as: UTF8.self).hasPrefix("two.o:"))
        #expect(try sandbox.hits() == 2)
    }

    @Test(arguments: compilers)
    func `split DWARF, coverage notes and stack usage are restored with the object`(compiler: String) throws {
        let sandbox = try Sandbox("side")
        try sandbox.write("s.c", "int f(int x) { int a[8] = {0}; return a[x & 7] + x; }\n")
        try FileManager.default.createDirectory(
            at: sandbox.work.appendingPathComponent("out"),
            withIntermediateDirectories: true
        )
        var flags = ["-c", "s.c", "-g", "-gsplit-dwarf", "--coverage", "-o", "out/s.o"]
        if compiler == "gcc" { flags.append("-fstack-usage") }
        let names = compiler == "gcc" ? ["s.o", "s.dwo", "s.gcno", "s.su"] : ["s.o", "s.dwo", "s.gcno"]
        // gcc stamps each .gcno (and its object) afresh on every compile, so the reference is the miss itself.
        #expect(try sandbox.hoard([compiler] + flags).status == 0)
        let stored = try names.map { try sandbox.read("out/\($0)") }
        for name in names { try FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("out/\(name)")) }
        #expect(try sandbox.hoard([compiler] + flags).status == 0)
        for (name, bytes) in zip(names, stored) {
            #expect(try sandbox.read("out/\(name)") == bytes, "\(name) differs")
        }
        #expect(try sandbox.hits() == 1)
        // Without coverage, split DWARF is deterministic: the hit equals a direct compile.
        let split = ["-c", "s.c", "-g", "-gsplit-dwarf", "-o", "out/s.o"]
        try sandbox.run([compiler] + split)
        let direct = try ["s.o", "s.dwo"].map { try sandbox.read("out/\($0)") }
        #expect(try sandbox.hoard([compiler] + split).status == 0)
        #expect(try sandbox.hoard([compiler] + split).status == 0)
        #expect(try ["s.o", "s.dwo"].map { try sandbox.read("out/\($0)") } == direct)
        #expect(try sandbox.hits() == 2)
    }

    struct UncacheableCase: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        let statistic: String
        var testDescription: String { self.arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        UncacheableCase(arguments: ["-E", "u.c"], statistic: "preprocessor_only"),
        UncacheableCase(arguments: ["u.c", "-o", "u"], statistic: "not_a_compilation"),
        UncacheableCase(arguments: ["-c", "-save-temps", "u.c"], statistic: "save_temps"),
        UncacheableCase(arguments: ["-c", "-fsyntax-only", "u.c"], statistic: "syntax_only"),
        UncacheableCase(arguments: ["-c", "-M", "u.c"], statistic: "dependencies_only"),
        UncacheableCase(arguments: ["-c", "u.c", "v.c"], statistic: "multiple_source_files"),
        UncacheableCase(arguments: ["-c", "@missing.rsp"], statistic: "unreadable_response_file"),
    ])
    func `an uncacheable command runs the compiler unchanged and counts its reason`(testCase: UncacheableCase) throws {
        let sandbox = try Sandbox("uncacheable")
        try sandbox.write("u.c", "int main(void) { return 0; }\n")
        try sandbox.write("v.c", "int v;\n")
        let direct = try sandbox.run(["gcc"] + testCase.arguments)
        let cached = try sandbox.hoard(["gcc"] + testCase.arguments)
        #expect(cached.status == direct.status)
        #expect(cached.stdout == direct.stdout)
        #expect(try sandbox.stat(testCase.statistic) == 1)
    }

    @Test func `a masquerade symlink finds the real compiler further down PATH`() throws {
        let sandbox = try Sandbox("masq")
        let bin = sandbox.root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for name in ["gcc", "cc"] {
            try FileManager.default.createSymbolicLink(
                atPath: bin.appendingPathComponent(name).path,
                withDestinationPath: Binaries.hoard
            )
        }
        try sandbox.write("m.c", "int m(void) { return 3; }\n")
        let path = bin.path + ":" + (sandbox.environment["PATH"] ?? "/usr/bin:/bin")
        for name in ["gcc", "cc", "gcc"] {
            #expect(try sandbox.run([name, "-c", "m.c"], environment: ["PATH": path]).status == 0)
        }
        #expect(try sandbox.stat("misses") == 2)  // gcc and cc are different driver names
        #expect(try sandbox.hits() == 1)
    }

    @Test func `a copy of hoard named after the compiler finds the real compiler further down PATH`() throws {
        let sandbox = try Sandbox("masq-copy")
        let bin = sandbox.root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        // Copied by cp: a copy written from this process, whose tests spawn children all the time, could leak its
        // open descriptor into one of them, and executing the copy would then fail with ETXTBSY.
        #expect(try sandbox.run(["cp", Binaries.hoard, bin.appendingPathComponent("gcc").path]).status == 0)
        try FileManager.default.linkItem(
            atPath: bin.appendingPathComponent("gcc").path,
            toPath: bin.appendingPathComponent("cc").path
        )
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("hoardd").path,
            withDestinationPath: Binaries.hoardd
        )
        try sandbox.write("m.c", "int m(void) { return 3; }\n")
        let path = bin.path + ":" + (sandbox.environment["PATH"] ?? "/usr/bin:/bin")
        for name in ["gcc", "cc", "gcc"] {
            let result = try sandbox.run([name, "-c", "m.c"], environment: ["PATH": path], timeout: 60)
            #expect(result.status == 0, "\(result.stderrText)")
        }
        #expect(try sandbox.hits() == 1)
    }

    @Test func `the compiler sees the user's environment, not the client's start-up settings`() throws {
        let sandbox = try Sandbox("environment")
        // A compiler that notes the backtracer setting it was given, then compiles.
        let compiler = try sandbox.write(
            "note-env-gcc",
            "#!/bin/sh\nprintf '%s\\n' \"${SWIFT_BACKTRACE-unset}\" >> \"$NOTES\"\nexec gcc \"$@\"\n"
        )
        #expect(chmod(compiler, 0o755) == 0)
        for name in ["e0", "e1", "u0", "u1"] { try sandbox.write("\(name).c", "int \(name);\n") }
        let unset = sandbox.root.appendingPathComponent("unset.txt").path
        let user = sandbox.root.appendingPathComponent("user.txt").path
        for disabled in ["0", "1"] {
            let common = ["NOTES": unset, "HOARD_DISABLE": disabled]
            let result = try sandbox.run(
                ["/usr/bin/env", "-u", "SWIFT_BACKTRACE", Binaries.hoard, compiler, "-c", "e\(disabled).c"],
                environment: common
            )
            #expect(result.status == 0, "\(result.stderrText)")
            let own = common.merging(["NOTES": user, "SWIFT_BACKTRACE": "enable=no"]) { $1 }
            #expect(try sandbox.hoard([compiler, "-c", "u\(disabled).c"], environment: own).status == 0)
        }
        let unsetNotes = try String(contentsOfFile: unset, encoding: .utf8).split(separator: "\n")
        let userNotes = try String(contentsOfFile: user, encoding: .utf8).split(separator: "\n")
        #expect(!unsetNotes.isEmpty && unsetNotes.allSatisfy { $0 == "unset" })
        #expect(!userNotes.isEmpty && userNotes.allSatisfy { $0 == "enable=no" })
    }

    @Test func `a response file is read and the compile is cached`() throws {
        let sandbox = try Sandbox("rsp")
        try sandbox.write("r.c", "int r = R;\n")
        try sandbox.write("args.rsp", "-c -DR=5 r.c\n-o r.o")
        #expect(try sandbox.hoard(["gcc", "@args.rsp"]).status == 0)
        #expect(try sandbox.hoard(["gcc", "@args.rsp"]).status == 0)
        #expect(try sandbox.hits() == 1)
    }

    @Test func `the CMake launcher form with an absolute compiler path works`() throws {
        let sandbox = try Sandbox("launcher")
        try sandbox.write("l.c", "int l;\n")
        for _ in 0..<2 { #expect(try sandbox.hoard(["/usr/bin/gcc", "-c", "l.c"]).status == 0) }
        #expect(try sandbox.hits() == 1)
    }

    @Test func `colour is stored once and replayed only to a colour terminal`() throws {
        let sandbox = try Sandbox("colour")
        try sandbox.write("w.c", Self.warningSource)
        let plain = try sandbox.hoard(["gcc", "-c", "w.c", "-Wall"])
        #expect(!plain.stderrText.contains("\u{1b}["))
        // `script` gives the client a terminal; the hit must come back coloured.
        let terminal = try sandbox.run(
            ["script", "-qec", "\(Binaries.hoard) gcc -c w.c -Wall", "/dev/null"],
            environment: ["TERM": "xterm"]
        )
        #expect(terminal.stdoutText.contains("\u{1b}["))
        #expect(try sandbox.hits() == 1)
    }
}
