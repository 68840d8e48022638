import Foundation
import Testing

/// The client's own options, settings and footprint.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AdminEndToEndTests {
    @Test func `the client links at most the C and C++ runtime and no heavy Swift module`() throws {
        let sandbox = try Sandbox("footprint")
        let needed = try sandbox.run(["objdump", "-p", Binaries.hoard]).stdoutText
            .split(separator: "\n").filter { $0.contains("NEEDED") }
            .compactMap { $0.split(separator: " ").last.map(String.init) }
        // Fully static today (no NEEDED at all); a static Swift stdlib with the C runtime shared is the limit.
        let allowed = ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"]
        for library in needed { #expect(allowed.contains(library), "hoard links \(library)") }
        let symbols = try sandbox.run(["nm", Binaries.hoard]).stdoutText
        for module in ["10Foundation", "7NIOCore", "15AsyncHTTPClient", "14ArgumentParser", "8Dispatch"] {
            #expect(!symbols.contains("$s\(module)"), "hoard contains \(module) symbols")
        }
    }

    @Test func `with glibc 2.36 the client starts without glibc's CPU survey`() throws {
        let sandbox = try Sandbox("startup")
        let glibc = try sandbox.run(["ldd", "--version"]).stdoutText.split(separator: "\n").first ?? ""
        let symbols = try sandbox.run(["nm", Binaries.hoard]).stdoutText
        // glibc's survey is local functions of its libc-start.o, linked only with glibc's own start-up.
        let surveys = symbols.contains(" get_common_indices") || symbols.contains(" handle_amd")
        if glibc.hasSuffix(" 2.36") {
            #expect(!surveys, "the client links glibc's start-up: \(glibc)")
            #expect(symbols.contains(" T __libc_start_main\n"))
        } else {
            #expect(surveys, "another glibc keeps its own start-up: \(glibc)")
        }
    }

    @Test func `the client hashes a large file to the official BLAKE3 digest`() throws {
        // 102,400 bytes: enough whole chunks for the SIMD paths, which the client chooses by asking the processor.
        let sandbox = try Sandbox("hash-file")
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("HoardCoreTests/Fixtures/blake3_test_vectors.json")
        let vectors = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any]
        let cases = vectors?["cases"] as? [[String: Any]] ?? []
        let expected = try #require(cases.first { $0["input_len"] as? Int == 102_400 }?["hash"] as? String)
        let input = sandbox.work.appendingPathComponent("input")
        try Data((0..<102_400).map { UInt8($0 % 251) }).write(to: input)
        let result = try sandbox.hoard(["--hash-file", input.path])
        #expect(result.status == 0)
        #expect(result.stdoutText == "\(expected.prefix(64))  \(input.path)\n")
    }

    @Test func `version and help print and exit 0`() throws {
        let sandbox = try Sandbox("version")
        let version = try sandbox.hoard(["--version"])
        #expect(version.status == 0 && version.stdoutText.hasPrefix("hoard "))
        let help = try sandbox.hoard(["--help"])
        #expect(help.status == 0 && help.stdoutText.contains("--show-stats"))
        let unknown = try sandbox.hoard(["--frobnicate"])
        #expect(unknown.status != 0 && unknown.stderrText.split(separator: "\n").count == 1)
    }

    @Test func `zero-stats, clear and JSON stats do what they say`() throws {
        let sandbox = try Sandbox("admin")
        try sandbox.write("a.c", "int a;\n")
        for _ in 0..<2 { try sandbox.hoard(["gcc", "-c", "a.c"]) }
        usleep(200_000)
        var stats = try sandbox.stats()
        #expect(((stats["preprocessed_hits"] as? Int ?? 0) + (stats["direct_hits"] as? Int ?? 0)) == 1)
        #expect(stats["cache_entries"] as? Int == 1)
        #expect((stats["cache_bytes"] as? Int ?? 0) > 0)
        let table = try sandbox.hoard(["--show-stats"]).stdoutText
        #expect(table.contains("Hits") && table.contains("1 / 2 (50.0 %)"))
        try sandbox.hoard(["--zero-stats"])
        #expect(try sandbox.hits() == 0)
        try sandbox.hoard(["--clear"])
        stats = try sandbox.stats()
        #expect(stats["cache_entries"] as? Int == 0)
        try sandbox.hoard(["gcc", "-c", "a.c"])
        #expect(try sandbox.stat("misses") == 1)
    }

    @Test
    func `a starting daemon reports on its ready descriptor once it listens, and one that cannot run stays silent`()
        throws
    {
        let sandbox = try Sandbox("ready")
        /// Starts hoardd with a pipe as descriptor 3; returns its pid and what it wrote there before closing it.
        func start() throws -> (pid: pid_t, said: [UInt8]) {
            var ready: [Int32] = [-1, -1]
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            let argv = [
                Binaries.hoardd, "--cache-dir", sandbox.cacheDirectory, "--idle-timeout", "60", "--ready-fd", "3",
            ]
            let environment = sandbox.environment.map { "\($0.key)=\($0.value)" }
            var pid = pid_t()
            ChildProcess.spawnLock.lock()
            #expect(pipe(&ready) == 0)
            for descriptor in ready { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, ready[1], 3)
            var cArguments = argv.map { strdup($0) } + [nil]
            var cEnvironment = environment.map { strdup($0) } + [nil]
            let status = posix_spawn(&pid, Binaries.hoardd, &actions, nil, &cArguments, &cEnvironment)
            close(ready[1])
            ChildProcess.spawnLock.unlock()
            for pointer in cArguments + cEnvironment { free(pointer) }
            #expect(status == 0)
            var said: [UInt8] = []
            var byte: UInt8 = 0
            while read(ready[0], &byte, 1) == 1 { said.append(byte) }
            close(ready[0])
            return (pid, said)
        }
        let first = try start()
        #expect(first.said == [1])
        // Listening already: the client connects to it rather than starting another.
        #expect(try sandbox.hoard(["--show-stats"]).status == 0)
        #expect(try sandbox.daemonPIDs() == [first.pid])
        // A second daemon for the same cache finds the first's lock and exits without a word.
        let second = try start()
        #expect(second.said == [])
        var status: Int32 = 0
        #expect(waitpid(second.pid, &status, 0) == second.pid)
        _ = try sandbox.hoard(["--stop-server"])
        #expect(waitpid(first.pid, &status, 0) == first.pid)
    }

    @Test func `statistics survive a daemon restart`() throws {
        let sandbox = try Sandbox("persist")
        try sandbox.write("a.c", "int a;\n")
        for _ in 0..<2 { try sandbox.hoard(["gcc", "-c", "a.c"]) }
        try sandbox.hoard(["--stop-server"])
        #expect(try sandbox.daemonPIDs().isEmpty)
        #expect(try sandbox.hits() == 1)
        #expect(try sandbox.stat("cache_entries") == 1)
    }

    @Test func `start-server and stop-server control the daemon, which leaves no socket or lock file`() throws {
        let sandbox = try Sandbox("server")
        let runtime = sandbox.root.appendingPathComponent("run/hoard").path
        #expect(try sandbox.hoard(["--start-server"]).status == 0)
        #expect(try sandbox.daemonPIDs().count == 1)
        let names = try FileManager.default.contentsOfDirectory(atPath: runtime)
        #expect(names.contains { $0.hasSuffix(".sock") } && names.contains { $0.hasSuffix(".daemon.lock") }, "\(names)")
        #expect(try sandbox.hoard(["--stop-server"]).status == 0)
        #expect(try sandbox.daemonPIDs().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime).isEmpty)
        // The next client starts a daemon as before.
        #expect(try sandbox.hoard(["--start-server"]).status == 0)
        #expect(try sandbox.daemonPIDs().count == 1)
        #expect(try sandbox.hoard(["--stop-server"]).status == 0)
    }

    @Test func `an idle daemon exits after the idle timeout`() throws {
        let sandbox = try Sandbox("idle")
        #expect(try sandbox.hoard(["--start-server"], environment: ["HOARD_IDLE_TIMEOUT": "1"]).status == 0)
        var remaining = 100
        while try !sandbox.daemonPIDs().isEmpty && remaining > 0 {
            usleep(100_000)
            remaining -= 1
        }
        #expect(try sandbox.daemonPIDs().isEmpty)
    }

    @Test func `a malformed setting is one line on stderr and the compile still runs`() throws {
        let sandbox = try Sandbox("badconfig")
        try sandbox.write("a.c", "int a;\n")
        let result = try sandbox.hoard(["gcc", "-c", "a.c"], environment: ["HOARD_CACHE_SIZE": "lots"])
        #expect(result.status == 0)
        #expect(
            result.stderrText.split(separator: "\n") == [
                "hoard: HOARD_CACHE_SIZE=lots: expected a size such as 10G, 500M or a number of bytes"
            ]
        )
        #expect(FileManager.default.fileExists(atPath: sandbox.work.appendingPathComponent("a.o").path))
        try sandbox.write("../config/hoard/config.toml", "cache_size = [1]\n")
        let fromFile = try sandbox.hoard(["gcc", "-c", "a.c"])
        #expect(fromFile.status == 0)
        #expect(fromFile.stderrText.contains("config.toml:1: unsupported value [1]"))
    }

    @Test func `HOARD_DISABLE bypasses the cache and HOARD_RECACHE refreshes it`() throws {
        let sandbox = try Sandbox("disable")
        try sandbox.write("a.c", "int a;\n")
        #expect(try sandbox.hoard(["gcc", "-c", "a.c"], environment: ["HOARD_DISABLE": "1"]).status == 0)
        #expect(try sandbox.daemonPIDs().isEmpty)
        try sandbox.hoard(["gcc", "-c", "a.c"])
        try sandbox.hoard(["gcc", "-c", "a.c"], environment: ["HOARD_RECACHE": "1"])
        usleep(200_000)
        try sandbox.hoard(["gcc", "-c", "a.c"])
        let stats = try sandbox.stats()
        #expect(stats["recaches"] as? Int == 1)
        #expect(stats["stores"] as? Int == 2)
        #expect(((stats["preprocessed_hits"] as? Int ?? 0) + (stats["direct_hits"] as? Int ?? 0)) == 1)
    }

    @Test func `the log file records decisions when HOARD_LOG is set`() throws {
        let sandbox = try Sandbox("log")
        try sandbox.write("a.c", "int a;\n")
        let log = sandbox.root.appendingPathComponent("hoard.log").path
        for _ in 0..<2 { try sandbox.hoard(["gcc", "-c", "a.c"], environment: ["HOARD_LOG": log]) }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("miss ") && text.contains("hit "))
    }
}
