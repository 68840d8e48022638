import Foundation
import Testing

/// Direct mode, depend mode and base directories with real gcc and clang.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct DirectModeEndToEndTests {
    static let compilers = ["gcc", "clang"]

    /// Compiles through hoard and checks the object equals a direct compile of the same files.
    @discardableResult
    static func compileAndCheck(
        _ sandbox: Sandbox,
        _ arguments: [String],
        object: String,
        in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> CommandResult {
        let result = try sandbox.hoard(arguments, in: directory, environment: environment)
        #expect(result.status == 0, "\(result.stderrText)")
        let place = directory ?? sandbox.work
        let cached = try Data(contentsOf: place.appendingPathComponent(object))
        var direct = arguments
        let reference = sandbox.root.appendingPathComponent("reference.o")
        if let index = direct.firstIndex(of: "-o") { direct[index + 1] = reference.path }
        try sandbox.run(direct, in: directory)
        #expect(cached == (try Data(contentsOf: reference)))
        return result
    }

    /// Compiles, waits for the store, and compiles again: the second compile must be a direct hit.
    static func compileTwiceForAHit(
        _ sandbox: Sandbox,
        _ arguments: [String],
        object: String,
        environment: [String: String] = [:],
        _ comment: @autoclosure () -> String = ""
    ) throws {
        try Self.compileAndCheck(sandbox, arguments, object: object, environment: environment)
        try sandbox.waitForStores(1)
        try Self.compileAndCheck(sandbox, arguments, object: object, environment: environment)
        #expect(try sandbox.stat("direct_hits") == 1, "\(comment()) \(sandbox.logTail())")
    }

    @Test(arguments: compilers)
    func `a header edit is a miss and a touched but unchanged header is a direct hit`(compiler: String) throws {
        let sandbox = try Sandbox("direct")
        try sandbox.write("inc/v.h", "#define V 1\n")
        try sandbox.write("d.c", "#include \"v.h\"\n#include <stdio.h>\nint d(void) { return V; }\n")
        let command = [compiler, "-O2", "-Iinc", "-c", "d.c", "-o", "d.o"]
        try Self.compileTwiceForAHit(sandbox, command, object: "d.o")
        try sandbox.write("inc/v.h", "#define V 2\n")
        try Self.compileAndCheck(sandbox, command, object: "d.o")
        #expect(try sandbox.stat("misses") == 2)
        try sandbox.waitForStores(2)
        let later = Date().addingTimeInterval(5)
        try FileManager.default.setAttributes(
            [.modificationDate: later],
            ofItemAtPath: sandbox.work.appendingPathComponent("inc/v.h").path
        )
        try Self.compileAndCheck(sandbox, command, object: "d.o")
        #expect(try sandbox.stat("direct_hits") == 2)
    }

    struct ShadowCase: Sendable, CustomTestStringConvertible {
        let options: [String]
        let include: String
        let found: String
        let shadow: String
        var testDescription: String { "\(self.include) found in \(self.found), shadowed by \(self.shadow)" }
    }

    @Test(arguments: [
        ShadowCase(options: ["-Ifirst", "-Isecond"], include: "\"s.h\"", found: "second/s.h", shadow: "first/s.h"),
        ShadowCase(options: ["-Ifirst", "-Isecond"], include: "<s.h>", found: "second/s.h", shadow: "first/s.h"),
        ShadowCase(options: ["-Isecond"], include: "\"s.h\"", found: "second/s.h", shadow: "s.h"),
        ShadowCase(options: ["-iquote", "q", "-Isecond"], include: "\"s.h\"", found: "second/s.h", shadow: "q/s.h"),
        ShadowCase(options: ["-Ifirst", "-isystem", "sys"], include: "<s.h>", found: "sys/s.h", shadow: "first/s.h"),
        ShadowCase(options: ["-Isecond"], include: "\"sub/s.h\"", found: "second/sub/s.h", shadow: "sub/s.h"),
    ])
    func `a new header that shadows a recorded one is a miss and the new header is compiled`(
        testCase: ShadowCase
    ) throws {
        for compiler in Self.compilers {
            let sandbox = try Sandbox("shadow")
            for directory in ["first", "second", "q", "sys"] {
                try FileManager.default.createDirectory(
                    at: sandbox.work.appendingPathComponent(directory),
                    withIntermediateDirectories: true
                )
            }
            try sandbox.write(testCase.found, "#define S 1\n")
            try sandbox.write("s.c", "#include \(testCase.include)\nint s(void) { return S; }\n")
            let command = [compiler, "-O2"] + testCase.options + ["-c", "s.c", "-o", "s.o"]
            try Self.compileTwiceForAHit(sandbox, command, object: "s.o", "\(compiler): the unchanged build hits")
            try sandbox.write(testCase.shadow, "#define S 2\n")
            try Self.compileAndCheck(sandbox, command, object: "s.o")
            #expect(try sandbox.stat("direct_hits") == 1, "\(compiler): the shadowing header forces a miss")
            #expect(try sandbox.stat("misses") == 2)
        }
    }

    /// A gcc wrapper that runs `edit` (shell) once, on its first compile (`-c`): before gcc reads anything, or
    /// after gcc has finished but before the compile ends for the client.
    static func editingCompiler(_ sandbox: Sandbox, _ edit: String, afterCompiling: Bool = false) throws -> String {
        let once = "case \" $* \" in *\" -c \"*) [ -e edited ] || { \(edit); touch edited; } ;; esac"
        let script = afterCompiling ? "gcc \"$@\" || exit $?\n\(once)\n" : "\(once)\nexec gcc \"$@\"\n"
        let path = try sandbox.write("bin/editing-gcc", "#!/bin/sh\n" + script)
        chmod(path, 0o755)
        return path
    }

    /// The environment a test argument such as `HOARD_DIRECT=0` names (none for "").
    static func environment(_ setting: String) -> [String: String] {
        let parts = setting.split(separator: "=").map(String.init)
        return parts.count == 2 ? [parts[0]: parts[1]] : [:]
    }

    @Test(arguments: ["s.c", "h.h"], ["", "HOARD_PREPROCESS_ON_MISS=1", "HOARD_DIRECT=0"])
    func `a source or header that changes as the compile starts keeps the compile from being stored`(
        file: String,
        setting: String
    ) throws {
        let sandbox = try Sandbox("late-edit")
        let environment = Self.environment(setting)
        let original = ["s.c": "#include \"h.h\"\nint s(void) { return H; }\n", "h.h": "#define H 1\n"]
        for (name, text) in original { try sandbox.write(name, text) }
        // The client has read the source (and a preprocessor run the header); the compiler reads the new version.
        let edited = file == "s.c" ? "int s(void) { return 2; }" : "#define H 2"
        let compiler = try Self.editingCompiler(sandbox, "printf '\(edited)\\n' > \(file)")
        let command = [compiler, "-c", "s.c", "-o", "s.o"]
        #expect(try sandbox.hoard(command, environment: environment).status == 0)
        #expect(try sandbox.stat("stores") == 0, "\(sandbox.logTail())")
        // Back to the first version: a hit on the object compiled from the second would be wrong.
        try sandbox.write(file, original[file] ?? "")
        try Self.compileAndCheck(sandbox, command, object: "s.o", environment: environment)
        #expect(try sandbox.stat("direct_hits") + sandbox.stat("preprocessed_hits") == 0)
    }

    @Test(arguments: ["q.c", "h.h"])
    func `a header that a __has_include finds during the compile keeps the compile from being stored`(
        asker: String
    ) throws {
        let sandbox = try Sandbox("late-query")
        let query = "#if __has_include(\"late.h\")\n#include \"late.h\"\n#else\n#define L 1\n#endif\n"
        try sandbox.write("h.h", asker == "h.h" ? query : "")
        try sandbox.write("q.c", (asker == "q.c" ? query : "") + "#include \"h.h\"\nint q(void) { return L; }\n")
        // The compiler found no late.h; it appears before the compile ends (the client follows the source's query,
        // the daemon the header's).
        let compiler = try Self.editingCompiler(sandbox, "printf '#define L 2\\n' > late.h", afterCompiling: true)
        let command = [compiler, "-c", "q.c", "-o", "q.o"]
        #expect(try sandbox.hoard(command).status == 0)
        #expect(try sandbox.stat("not_stored_too_new_input") == 1, "\(sandbox.logTail())")
        // The next compile includes late.h: a hit on the first compile's object would be wrong.
        try Self.compileAndCheck(sandbox, command, object: "q.o")
        #expect(try sandbox.stat("direct_hits") == 0)
    }

    @Test func `a shadowing header that appears during the compile keeps the compile from being stored`() throws {
        let sandbox = try Sandbox("late-shadow")
        try sandbox.write("second/s.h", "#define S 1\n")
        try sandbox.write("s.c", "#include <s.h>\nint s(void) { return S; }\n")
        // The compiler found second/s.h; first/s.h, searched before it, appears before the compile ends.
        let compiler = try Self.editingCompiler(sandbox, "printf '#define S 2\\n' > first/s.h", afterCompiling: true)
        try FileManager.default.createDirectory(
            at: sandbox.work.appendingPathComponent("first"),
            withIntermediateDirectories: true
        )
        let command = [compiler, "-Ifirst", "-Isecond", "-c", "s.c", "-o", "s.o"]
        #expect(try sandbox.hoard(command).status == 0)
        #expect(try sandbox.stat("not_stored_too_new_input") == 1, "\(sandbox.logTail())")
        // The next compile takes first/s.h: a hit on the first compile's object would be wrong.
        try Self.compileAndCheck(sandbox, command, object: "s.o")
        #expect(try sandbox.stat("direct_hits") == 0)
    }

    @Test(arguments: ["", "HOARD_PREPROCESS_ON_MISS"])
    func `a shadowing header in a directory whose absences were remembered is still a miss`(setting: String) throws {
        let sandbox = try Sandbox("memo")
        let environment = setting.isEmpty ? [:] : [setting: "1"]
        try sandbox.write("second/m.h", "#define M 1\n")
        try FileManager.default.createDirectory(
            at: sandbox.work.appendingPathComponent("first"),
            withIntermediateDirectories: true
        )
        try sandbox.write("m.c", "#include \"m.h\"\nint m(void) { return M; }\n")
        let command = ["gcc", "-Ifirst", "-Isecond", "-c", "m.c", "-o", "m.o"]
        try Self.compileAndCheck(sandbox, command, object: "m.o", environment: environment)
        try sandbox.waitForStores(1)
        // Once the directories are over a second old, a hit remembers that first/ still lacks m.h ...
        usleep(1_200_000)
        for _ in 0..<2 { try Self.compileAndCheck(sandbox, command, object: "m.o", environment: environment) }
        #expect(try sandbox.stat("direct_hits") == 2)
        // ... and creating it changes first/'s stamp, so the next lookup looks again and misses.
        try sandbox.write("first/m.h", "#define M 2\n")
        try Self.compileAndCheck(sandbox, command, object: "m.o", environment: environment)
        #expect(try sandbox.stat("direct_hits") == 2, "\(sandbox.logTail())")
    }

    /// A directory searched first, missing at first, gets the header later.
    ///
    /// `directory`: `first/` is missing; `subdirectory`: `first/` exists but `first/sub/` does not; `link`: `first` is
    /// a symbolic link to a directory that is missing. A hit remembers why the directory is missing (its nearest
    /// existing ancestor, unchanged); the shadowing header needs a change there, or, for the link, none at all.
    @Test(arguments: ["directory", "subdirectory", "link"])
    func `a shadowing header in a directory that was missing is a miss`(layout: String) throws {
        for compiler in Self.compilers {
            let sandbox = try Sandbox("missing-\(layout)")
            let name = layout == "subdirectory" ? "sub/m.h" : "m.h"
            try sandbox.write("second/\(name)", "#define M 1\n")
            try sandbox.write("m.c", "#include <\(name)>\nint m(void) { return M; }\n")
            let first = sandbox.work.appendingPathComponent("first").path
            switch layout {
            case "subdirectory":
                try FileManager.default.createDirectory(atPath: first, withIntermediateDirectories: true)
            case "link": try FileManager.default.createSymbolicLink(atPath: first, withDestinationPath: "elsewhere")
            default: break
            }
            let command = [compiler, "-Ifirst", "-Isecond", "-c", "m.c", "-o", "m.o"]
            try Self.compileAndCheck(sandbox, command, object: "m.o")
            try sandbox.waitForStores(1)
            usleep(1_200_000)  // the directories are settled: their stamps can be trusted
            for _ in 0..<2 { try Self.compileAndCheck(sandbox, command, object: "m.o") }
            #expect(try sandbox.stat("direct_hits") == 2, "\(compiler), \(layout)")
            try sandbox.write((layout == "link" ? "elsewhere/" : "first/") + name, "#define M 2\n")
            try Self.compileAndCheck(sandbox, command, object: "m.o")
            #expect(try sandbox.stat("direct_hits") == 2, "\(compiler), \(layout): \(sandbox.logTail())")
        }
    }

    @Test(arguments: ["", "HOARD_PREPROCESS_ON_MISS"])
    func `a compile in a German locale gets direct hits`(setting: String) throws {
        // gcc's -v output is translated there (scripts/install-prerequisites.sh installs its German messages).
        let sandbox = try Sandbox("german")
        var environment = ["LC_ALL": "de_DE.UTF-8"]
        if !setting.isEmpty { environment[setting] = "1" }
        try sandbox.write("inc/g.h", "#define G 1\n")
        try sandbox.write("g.c", "#include <g.h>\n#include <stdio.h>\nint g(void) { return G; }\n")
        let command = ["gcc", "-Iinc", "-c", "g.c", "-o", "g.o"]
        try Self.compileTwiceForAHit(sandbox, command, object: "g.o", environment: environment, setting)
    }

    /// gcc and clang look for an `-include` or `-imacros` file in the working directory first, even when the source
    /// is elsewhere: a header created there later takes its place.
    @Test(arguments: ["-include", "-imacros"])
    func `a forced include shadowed by a new header in the working directory is a miss`(option: String) throws {
        for compiler in Self.compilers {
            for setting in ["", "HOARD_PREPROCESS_ON_MISS"] {
                let sandbox = try Sandbox("forced")
                let environment = setting.isEmpty ? [:] : [setting: "1"]
                try sandbox.write("inc/f.h", "#define F 1\n")
                try sandbox.write("src/f.c", "int f(void) { return F; }\n")
                let command = [compiler, option, "f.h", "-Iinc", "-c", "src/f.c", "-o", "f.o"]
                try Self.compileTwiceForAHit(sandbox, command, object: "f.o", environment: environment, "\(compiler)")
                try sandbox.write("f.h", "#define F 2\n")
                try Self.compileAndCheck(sandbox, command, object: "f.o", environment: environment)
                #expect(try sandbox.stat("direct_hits") == 1, "\(compiler) \(option) \(setting): \(sandbox.logTail())")
            }
        }
    }

    @Test func `a shadowing header among many candidates in a directory that keeps changing is a miss`() throws {
        let sandbox = try Sandbox("many")
        let headers = (0..<80).map { "h\($0).h" }
        for header in headers { try sandbox.write("inc/\(header)", "#define \(header.dropLast(2).uppercased()) 1\n") }
        let includes = headers.map { "#include \"\($0)\"\n" }.joined()
        try sandbox.write("m.c", includes + "int m(void) { return H37; }\n")
        // Each name is a candidate in the working directory, where the outputs keep changing it: the lookup reads
        // the directory rather than settle 80 names with a `stat` each, and must still see the new one.
        let command = ["gcc", "-Iinc", "-c", "m.c", "-o", "m.o"]
        try Self.compileTwiceForAHit(sandbox, command, object: "m.o")
        try sandbox.write("h37.h", "#define H37 2\n")
        try Self.compileAndCheck(sandbox, command, object: "m.o")
        #expect(try sandbox.stat("direct_hits") == 1, "\(sandbox.logTail())")
    }

    /// `shadowed`: the header is found in `inc2`, so `extra/probe.h` is an absent shadowing candidate in the same
    /// directory as `extra/opt.h`, a place the query looks: the daemon must record both.
    @Test(arguments: ["source", "header", "shadowed"])
    func `a header that __has_include finds later is a miss`(place: String) throws {
        for compiler in Self.compilers {
            let sandbox = try Sandbox("hasinclude")
            let probe = "#if __has_include(<opt.h>)\n#include <opt.h>\n#else\n#define OPT 0\n#endif\n"
            try sandbox.write(place == "shadowed" ? "inc2/probe.h" : "probe.h", probe)
            try FileManager.default.createDirectory(
                at: sandbox.work.appendingPathComponent("extra"),
                withIntermediateDirectories: true
            )
            let body = "int opt(void) { return OPT; }\n"
            let include = place == "shadowed" ? "#include <probe.h>\n" : "#include \"probe.h\"\n"
            try sandbox.write("q.c", (place == "source" ? probe : include) + body)
            let command = [compiler, "-O2", "-Iextra", "-Iinc2", "-c", "q.c", "-o", "q.o"]
            try Self.compileAndCheck(sandbox, command, object: "q.o")
            try Self.compileAndCheck(sandbox, command, object: "q.o")
            #expect(try sandbox.stat("direct_hits") == 1, "\(compiler), \(place): the unchanged build hits")
            try sandbox.write("extra/opt.h", "#define OPT 9\n")
            try Self.compileAndCheck(sandbox, command, object: "q.o")
            #expect(try sandbox.stat("direct_hits") == 1, "\(compiler), \(place): the new header forces a miss")
            guard place == "shadowed" else { continue }
            try Self.compileAndCheck(sandbox, command, object: "q.o")
            try sandbox.write("extra/probe.h", "#define OPT 7\n")
            try Self.compileAndCheck(sandbox, command, object: "q.o")
            #expect(try sandbox.stat("direct_hits") == 2, "\(compiler): the shadowing header forces a miss")
        }
    }

    @Test(arguments: ["__DATE__", "__TIME__", "__TIMESTAMP__"])
    func `a time macro in the source or a header means nothing is stored`(macro: String) throws {
        let sandbox = try Sandbox("time")
        try sandbox.write("t.h", "static const char *stamp = \(macro);\n")
        try sandbox.write("src.c", "const char *when(void) { return \(macro); }\n")
        try sandbox.write("hdr.c", "#include \"t.h\"\nconst char *when(void) { return stamp; }\n")
        for source in ["src", "hdr"] {
            #expect(try sandbox.hoard(["gcc", "-c", "\(source).c"]).status == 0)
        }
        usleep(300_000)
        #expect(try sandbox.stat("not_stored_time_macros") == 2)
        #expect(try sandbox.stat("stores") == 0)
        #expect(try sandbox.hoard(["gcc", "-c", "src.c"], environment: ["HOARD_ALLOW_TIME_MACROS": "1"]).status == 0)
        try sandbox.waitForStores(1)
    }

    @Test func `a header modified at or after the compile started is never stored`() throws {
        let sandbox = try Sandbox("toonew")
        try sandbox.write("n.h", "#define N 1\n")
        try sandbox.write("n.c", "#include \"n.h\"\nint n(void) { return N; }\n")
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(3600)],
            ofItemAtPath: sandbox.work.appendingPathComponent("n.h").path
        )
        #expect(try sandbox.hoard(["gcc", "-c", "n.c"]).status == 0)
        usleep(300_000)
        #expect(try sandbox.stat("not_stored_too_new_input") == 1)
        #expect(try sandbox.stat("stores") == 0)
    }

    @Test func `an incbin directive means nothing is stored`() throws {
        let sandbox = try Sandbox("incbin")
        try sandbox.write("blob.bin", "binary")
        try sandbox.write("i.c", "__asm__(\".section .rodata\\n.incbin \\\"blob.bin\\\"\\n.text\");\nint i;\n")
        #expect(try sandbox.hoard(["gcc", "-c", "i.c"]).status == 0)
        usleep(300_000)
        #expect(try sandbox.stat("not_stored_embedded_file") == 1)
        #expect(try sandbox.stat("stores") == 0)
    }

    /// A compiler wrapper that records each call, to see which processes a compile starts.
    static func recordingCompiler(_ sandbox: Sandbox) throws -> (path: String, log: URL) {
        let log = sandbox.root.appendingPathComponent("calls.log")
        let path = try sandbox.write(
            "bin/recording-gcc",
            "#!/bin/sh\necho \"$*\" >> \(log.path)\nexec gcc \"$@\"\n"
        )
        chmod(path, 0o755)
        return (path, log)
    }

    static func calls(_ log: URL) -> [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Tells whether a logged call has every one of `arguments` as a whole argument (a sandbox path such as
    /// `/tmp/hoard-depend-E1.../reference.o` contains `-E` too).
    static func call(_ call: String, has arguments: String...) -> Bool {
        let words = call.split(separator: " ")
        return arguments.allSatisfy { words.contains(Substring($0)) }
    }

    @Test func `jobs that start at once ask the compiler for its identity and search list once`() throws {
        let sandbox = try Sandbox("once")
        let (compiler, log) = try Self.recordingCompiler(sandbox)
        for n in 0..<8 { try sandbox.write("j\(n).c", "#include <stdio.h>\nint j\(n)(void) { return \(n); }\n") }
        #expect(
            sandbox.hoardAtOnce((0..<8).map { [compiler, "-O2", "-c", "j\($0).c"] }) == Array(repeating: 0, count: 8)
        )
        let calls = Self.calls(log)
        #expect(calls.filter { Self.call($0, has: "--version") }.count == 1, "\(calls)")
        #expect(calls.filter { Self.call($0, has: "-v", "/dev/null") }.count == 1, "\(calls)")
        try sandbox.waitForStores(8)
        for n in 0..<8 {
            try Self.compileAndCheck(sandbox, [compiler, "-O2", "-c", "j\(n).c", "-o", "j\(n).o"], object: "j\(n).o")
        }
        #expect(try sandbox.stat("direct_hits") == 8)
        // The locks go with their holders.
        let runtime = sandbox.root.appendingPathComponent("run/hoard").path
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime).filter { $0.contains("answer") }.isEmpty)
    }

    @Test func `a direct-mode hit starts no process`() throws {
        let sandbox = try Sandbox("noprocess")
        let (compiler, log) = try Self.recordingCompiler(sandbox)
        try sandbox.write("h.h", "#define H 4\n")
        try sandbox.write("p.c", "#include \"h.h\"\nint p(void) { return H; }\n")
        #expect(try sandbox.hoard([compiler, "-c", "p.c"]).status == 0)
        try sandbox.waitForStores(1)
        let before = Self.calls(log)
        #expect(before.contains { Self.call($0, has: "-E") })
        #expect(try sandbox.hoard([compiler, "-c", "p.c"]).status == 0)
        #expect(Self.calls(log) == before, "the hit ran: \(Self.calls(log).dropFirst(before.count))")
        #expect(try sandbox.stat("direct_hits") == 1)
    }

    @Test func `HOARD_DIRECT=0 uses preprocessor mode only`() throws {
        let sandbox = try Sandbox("nodirect")
        try sandbox.write("p.c", "int p(void) { return 1; }\n")
        for _ in 0..<2 {
            #expect(try sandbox.hoard(["gcc", "-c", "p.c"], environment: ["HOARD_DIRECT": "0"]).status == 0)
            try sandbox.waitForStores(1)
        }
        #expect(try sandbox.stat("direct_hits") == 0)
        #expect(try sandbox.stat("preprocessed_hits") == 1)
        #expect(try sandbox.stat("manifest_updates") == 0)
    }

    @Test func `depend mode compiles once on a miss and then hits directly`() throws {
        let sandbox = try Sandbox("depend")
        let (compiler, log) = try Self.recordingCompiler(sandbox)
        try sandbox.write("inc/e.h", "#define E 5\n")
        try sandbox.write("e.c", "#include \"e.h\"\n#include <string.h>\nint e(void) { return E; }\n")
        let command = [compiler, "-Iinc", "-c", "e.c", "-o", "e.o", "-MD"]
        let environment = ["HOARD_DEPEND": "1"]
        try Self.compileAndCheck(sandbox, command, object: "e.o", environment: environment)
        #expect(!Self.calls(log).contains { Self.call($0, has: "-E", "e.c") }, "no preprocessor run on e.c")
        try sandbox.waitForStores(1)
        let before = Self.calls(log).count
        try Self.compileAndCheck(sandbox, command, object: "e.o", environment: environment)
        #expect(Self.calls(log).count == before + 1, "only the reference compile ran")
        #expect(try sandbox.stat("direct_hits") == 1)
        try sandbox.write("inc/e.h", "#define E 6\n")
        try Self.compileAndCheck(sandbox, command, object: "e.o", environment: environment)
        try sandbox.waitForStores(2)
        try sandbox.write("e.h", "#define E 7\n")
        try Self.compileAndCheck(sandbox, command, object: "e.o", environment: environment)
        #expect(try sandbox.stat("direct_hits") == 1)
        #expect(try sandbox.stat("misses") == 3)
    }

    @Test func `a direct-mode miss asks for the search list while the compiler compiles`() throws {
        let sandbox = try Sandbox("probe-overlap")
        let log = sandbox.root.appendingPathComponent("calls.log")
        // A compile that takes a while: the search-list probe (`-E -v`) must begin before it ends.
        let compiler = try sandbox.write(
            "bin/slow-gcc",
            """
            #!/bin/sh
            echo "begin $*" >> \(log.path)
            case " $* " in *" -c "*) sleep 0.5 ;; esac
            gcc "$@"
            status=$?
            echo "end $*" >> \(log.path)
            exit $status

            """
        )
        chmod(compiler, 0o755)
        try sandbox.write("p.c", "#include <stdio.h>\nint p(void) { return 1; }\n")
        #expect(try sandbox.hoard([compiler, "-c", "p.c", "-o", "p.o"]).status == 0)
        let calls = Self.calls(log)
        let probeBegins = calls.firstIndex { $0.hasPrefix("begin ") && Self.call($0, has: "-E", "-v") }
        let compileEnds = calls.firstIndex { $0.hasPrefix("end ") && Self.call($0, has: "-c", "p.c") }
        #expect((probeBegins ?? .max) < (compileEnds ?? .min), "\(calls)")
        // The list it found is in the manifest: the next compile hits directly.
        try sandbox.waitForStores(1)
        #expect(try sandbox.hoard([compiler, "-c", "p.c", "-o", "p.o"]).status == 0)
        #expect(try sandbox.stat("direct_hits") == 1, "\(sandbox.logTail())")
    }

    @Test func `a direct-mode miss compiles once and asks for the search list once per set of options`() throws {
        let sandbox = try Sandbox("once")
        let (compiler, log) = try Self.recordingCompiler(sandbox)
        try sandbox.write("inc/o.h", "#define O 5\n")
        for name in ["o1", "o2"] {
            try sandbox.write("\(name).c", "#include \"o.h\"\n#include <stdio.h>\nint \(name)(void) { return O; }\n")
        }
        let command = { (name: String) in [compiler, "-Iinc", "-O2", "-c", "\(name).c", "-o", "\(name).o"] }
        try Self.compileAndCheck(sandbox, command("o1"), object: "o1.o")
        let first = Self.calls(log).dropLast()  // the last call is the reference compile
        #expect(first.filter { $0.contains("o1.c") }.count == 1, "one compiler run on o1.c: \(first)")
        #expect(first.filter { Self.call($0, has: "-E", "-v") }.count == 1, "one search-list probe: \(first)")
        let scratch = first.compactMap { call -> String? in
            let words = call.split(separator: " ").map(String.init)
            return words.firstIndex(of: "-MF").map { words[$0 + 1] }
        }
        // An anonymous file in memory, which the compiler inherits: nothing is created beside the object.
        #expect(scratch.count == 1 && scratch.first?.hasPrefix("/proc/self/fd/") == true, "in memory: \(scratch)")
        let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.work.path).filter {
            $0.contains("hoard")
        }
        #expect(left.isEmpty, "\(left)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.work.appendingPathComponent("o1.d").path))
        try sandbox.waitForStores(1)
        let before = Self.calls(log).count
        try Self.compileAndCheck(sandbox, command("o2"), object: "o2.o")
        let second = Self.calls(log).dropFirst(before).dropLast()
        #expect(second.count == 1 && second.allSatisfy { $0.contains("o2.c") }, "only the compile: \(second)")
        try sandbox.waitForStores(2)
        // The recorded includes work as in any direct mode: an unchanged rebuild hits, a header edit misses.
        try Self.compileAndCheck(sandbox, command("o1"), object: "o1.o")
        #expect(try sandbox.stat("direct_hits") == 1)
        try sandbox.write("inc/o.h", "#define O 6\n")
        try Self.compileAndCheck(sandbox, command("o1"), object: "o1.o")
        #expect(try sandbox.stat("direct_hits") == 1)
        #expect(try sandbox.stat("misses") == 3)
    }

    @Test func `with HOARD_PREPROCESS_ON_MISS a direct miss can still be a preprocessed hit`() throws {
        let sandbox = try Sandbox("ppmiss")
        try sandbox.write("q.c", "int q(void) { return 1; }\n")
        let environment = ["HOARD_PREPROCESS_ON_MISS": "1"]
        try Self.compileAndCheck(sandbox, ["gcc", "-c", "q.c", "-o", "q.o"], object: "q.o", environment: environment)
        try sandbox.waitForStores(1)
        // The preprocessor turns the comment into the space it replaces: the same preprocessed source.
        try sandbox.write("q.c", "int q(void) {/* a comment */return 1; }\n")
        try Self.compileAndCheck(sandbox, ["gcc", "-c", "q.c", "-o", "q.o"], object: "q.o", environment: environment)
        #expect(try sandbox.stat("preprocessed_hits") == 1)
        // Without it, the same change is a miss that compiles once.
        try sandbox.write("q.c", "int q(void) {/* another comment */return 1; }\n")
        try Self.compileAndCheck(sandbox, ["gcc", "-c", "q.c", "-o", "q.o"], object: "q.o")
        #expect(try sandbox.stat("preprocessed_hits") == 1)
    }

    @Test func `a compile that records its command line in the object gets no added dependency file`() throws {
        let sandbox = try Sandbox("recordcmd")
        let (compiler, log) = try Self.recordingCompiler(sandbox)
        try sandbox.write("r.c", "int r(void) { return 2; }\n")
        let command = [compiler, "-frecord-gcc-switches", "-c", "r.c", "-o", "r.o"]
        try Self.compileAndCheck(sandbox, command, object: "r.o")
        #expect(!Self.calls(log).contains { Self.call($0, has: "-MF") }, "\(Self.calls(log))")
        try sandbox.waitForStores(1)
        try Self.compileAndCheck(sandbox, command, object: "r.o")
        #expect(try sandbox.hits() == 1)
    }

    @Test func `an -MMD compile keeps the preprocessor on a miss so that system headers stay in its manifest`() throws {
        let sandbox = try Sandbox("mmd")
        let (compiler, log) = try Self.recordingCompiler(sandbox)
        try sandbox.write("n.c", "#include <stdio.h>\nint n(void) { return (int)sizeof(FILE); }\n")
        for environment in [[:], ["HOARD_DEPEND": "1"]] {
            let before = Self.calls(log).count
            let command = [compiler, "-c", "n.c", "-o", "n.o", "-MMD"]
            try Self.compileAndCheck(sandbox, command, object: "n.o", environment: environment)
            let calls = Self.calls(log).dropFirst(before)
            #expect(calls.contains { Self.call($0, has: "-E", "n.c") }, "preprocessed: \(calls)")
            try sandbox.write("n.c", "#include <stdio.h>\nint n(void) { return (int)sizeof(FILE) + 1; }\n")
        }
    }

    /// Two checkouts of one project, compiled with absolute paths as CMake does.
    static func checkouts(_ sandbox: Sandbox, header: (Int) -> String) throws -> [URL] {
        try (1...2).map { number in
            let root = sandbox.work.appendingPathComponent("checkout\(number)")
            try sandbox.write("checkout\(number)/include/lib.h", header(number))
            try sandbox.write(
                "checkout\(number)/src/lib.c",
                "#include \"lib.h\"\n#include <stdlib.h>\nint lib(void) { return LIB_VALUE + abs(-1); }\n"
            )
            try sandbox.write(
                "checkout\(number)/src/main.c",
                "#include \"lib.h\"\nint main(void) { return LIB_VALUE; }\n"
            )
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("build"),
                withIntermediateDirectories: true
            )
            return root
        }
    }

    static let baseDirectoriesEnvironment = ["HOARD_BASEDIRS": "/tmp"]

    static func buildCheckout(_ sandbox: Sandbox, _ root: URL, compiler: String, extra: [String] = []) throws {
        for name in ["lib", "main"] {
            let command =
                [compiler, "-O2"] + extra + [
                    "-I\(root.path)/include", "-c", "\(root.path)/src/\(name).c", "-o", "\(name).o", "-MD", "-MF",
                    "\(name).d",
                ]
            try Self.compileAndCheck(
                sandbox,
                command,
                object: "\(name).o",
                in: root.appendingPathComponent("build"),
                environment: Self.baseDirectoriesEnvironment
            )
            let dependencies = try String(contentsOf: root.appendingPathComponent("build/\(name).d"), encoding: .utf8)
            #expect(dependencies.contains("\(root.path)/src/\(name).c"), "the .d names this checkout's source")
            #expect(dependencies.contains("\(root.path)/include/lib.h"), "the .d names this checkout's header")
            #expect(!dependencies.contains("checkout\(root.lastPathComponent == "checkout1" ? 2 : 1)"))
        }
    }

    @Test(arguments: compilers)
    func `the same project in two checkouts shares every hit with correct dependency files`(compiler: String) throws {
        let sandbox = try Sandbox("basedirs")
        let roots = try Self.checkouts(sandbox) { _ in "#define LIB_VALUE 3\n" }
        try Self.buildCheckout(sandbox, roots[0], compiler: compiler)
        try sandbox.waitForStores(2)
        try sandbox.hoard(["--zero-stats"])
        try Self.buildCheckout(sandbox, roots[1], compiler: compiler)
        #expect(try sandbox.stat("direct_hits") == 2)
        #expect(try sandbox.stat("misses") == 0)
    }

    @Test(arguments: compilers)
    func `two checkouts with different header contents never share an object`(compiler: String) throws {
        let sandbox = try Sandbox("basediff")
        let roots = try Self.checkouts(sandbox) { "#define LIB_VALUE \($0 * 10)\n" }
        try Self.buildCheckout(sandbox, roots[0], compiler: compiler)
        try sandbox.waitForStores(2)
        try Self.buildCheckout(sandbox, roots[1], compiler: compiler)
        #expect(try sandbox.hits() == 0)
    }

    @Test func `a source that names its own path is not shared between checkouts`() throws {
        let sandbox = try Sandbox("basefile")
        for number in 1...2 {
            try sandbox.write("c\(number)/f.c", "const char *where(void) { return __FILE__; }\n")
        }
        for number in 1...2 {
            let directory = sandbox.work.appendingPathComponent("c\(number)")
            try Self.compileAndCheck(
                sandbox,
                ["gcc", "-c", directory.appendingPathComponent("f.c").path, "-o", "f.o"],
                object: "f.o",
                in: directory,
                environment: Self.baseDirectoriesEnvironment
            )
            try sandbox.waitForStores(number)
        }
        #expect(try sandbox.hits() == 0)
    }

    @Test func `debug info is shared between checkouts only when a prefix map hides the checkout`() throws {
        let sandbox = try Sandbox("basedebug")
        let roots = try Self.checkouts(sandbox) { _ in "#define LIB_VALUE 3\n" }
        try Self.buildCheckout(sandbox, roots[0], compiler: "gcc", extra: ["-g"])
        try sandbox.waitForStores(2)
        try Self.buildCheckout(sandbox, roots[1], compiler: "gcc", extra: ["-g"])
        #expect(try sandbox.hits() == 0, "without a prefix map each checkout's debug info names it")
        try sandbox.hoard(["--zero-stats"])
        for root in roots {
            let prefixMap = "-ffile-prefix-map=\(root.path)=/src"
            try Self.buildCheckout(sandbox, root, compiler: "gcc", extra: ["-g", prefixMap])
            try sandbox.waitForStores(2)
        }
        #expect(try sandbox.hits() == 2, "with -ffile-prefix-map the second checkout hits")
    }
}
