import Foundation
import Testing

/// Every fault ends in the compiler's own result, and is counted.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct FaultEndToEndTests {
    static let source = "int value(int x) { return x * 3; }\n"

    @Test func `a daemon killed between compiles is replaced and the cache survives`() throws {
        let sandbox = try Sandbox("kill")
        try sandbox.write("k.c", Self.source)
        #expect(try sandbox.hoard(["gcc", "-c", "k.c"]).status == 0)
        usleep(200_000)  // the put is asynchronous
        for pid in try sandbox.daemonPIDs() { kill(pid, SIGKILL) }
        #expect(try sandbox.hoard(["gcc", "-c", "k.c"]).status == 0)
        #expect(try sandbox.hits() == 1, "\(sandbox.logTail())")
        #expect(try sandbox.daemonPIDs().count == 1)
    }

    @Test func `a daemon killed again and again during a parallel build never breaks it`() throws {
        let sandbox = try Sandbox("killloop")
        var makefile = "CC = \(Binaries.hoard) gcc\nall:"
        for n in 0..<24 {
            try sandbox.write("f\(n).c", "int f\(n)(int x) { return x + \(n); }\n")
            makefile += " f\(n).o"
        }
        makefile += "\n%.o: %.c\n\t$(CC) -O2 -c $< -o $@\n"
        try sandbox.write("Makefile", makefile)
        let stop = DispatchSemaphore(value: 0)
        let killer = Thread {
            while stop.wait(timeout: .now() + .milliseconds(30)) == .timedOut {
                for pid in (try? sandbox.daemonPIDs()) ?? [] { kill(pid, SIGKILL) }
            }
        }
        killer.start()
        let build = try sandbox.run(["make", "-j4"])
        stop.signal()
        #expect(build.status == 0, "\(build.stderrText)")
        for n in 0..<24 {
            try sandbox.run(["gcc", "-O2", "-c", "f\(n).c", "-o", "direct.o"])
            #expect(try sandbox.read("f\(n).o") == sandbox.read("direct.o"))
        }
    }

    @Test func `a store left to the daemon is not lost when the client exits at once`() throws {
        let sandbox = try Sandbox("background")
        for n in 0..<20 {
            try sandbox.write("b\(n).c", "int b\(n)(int x) { return x - \(n); }\n")
            let result = try sandbox.hoard(["gcc", "-c", "b\(n).c"], environment: ["HOARD_WAIT_FOR_STORE": "0"])
            #expect(result.status == 0)
        }
        try sandbox.waitForStores(20)
        #expect(try sandbox.stat("stores") == 20, "\(sandbox.logTail())")
    }

    @Test func `a rebuild right after a build hits every object while that build's stores may still wait`() throws {
        let sandbox = try Sandbox("waiting")
        let count = 12
        var makefile = "CC = \(Binaries.hoard) gcc\nall:"
        for n in 0..<count {
            try sandbox.write("w\(n).c", "#include \"w.h\"\nint w\(n)(int x) { return x + W + \(n); }\n")
            makefile += " w\(n).o"
        }
        makefile += "\n%.o: %.c\n\t$(CC) -O2 -c $< -o $@\n"
        try sandbox.write("w.h", "#define W 7\n")
        try sandbox.write("Makefile", makefile)
        let noWait = ["HOARD_WAIT_FOR_STORE": "0"]
        #expect(try sandbox.run(["make", "-j2"], environment: noWait).status == 0)
        let objects = try (0..<count).map { try sandbox.read("w\($0).o") }
        for n in 0..<count { try FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("w\(n).o")) }
        // Each lookup writes the store it may find first.
        #expect(try sandbox.run(["make", "-j2"], environment: noWait).status == 0)
        #expect(try (0..<count).map { try sandbox.read("w\($0).o") } == objects)
        #expect(try sandbox.stat("direct_hits") == count, "\(sandbox.logTail())")
    }

    @Test(arguments: ["flip", "truncate", "empty"])
    func `a corrupt or truncated entry is a counted miss and the compile is correct`(damage: String) throws {
        let sandbox = try Sandbox("corrupt")
        try sandbox.write("c.c", Self.source)
        #expect(try sandbox.hoard(["gcc", "-c", "c.c"]).status == 0)
        try sandbox.run(["gcc", "-c", "c.c", "-o", "direct.o"])
        usleep(200_000)
        let entries = try FileManager.default.subpathsOfDirectory(atPath: sandbox.cacheDirectory)
            .filter { $0.split(separator: "/").last?.count == 64 }
        #expect(entries.count == 1)
        for entry in entries {
            let path = sandbox.cacheDirectory + "/" + entry
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            switch damage {
            case "flip": bytes[bytes.count / 2] ^= 0xff
            case "truncate": bytes = bytes.prefix(bytes.count / 2)
            default: bytes = Data()
            }
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        try FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("c.o"))
        #expect(try sandbox.hoard(["gcc", "-c", "c.c"]).status == 0)
        #expect(try sandbox.read("c.o") == sandbox.read("direct.o"))
        #expect(try sandbox.stat("corrupt_entries") == 1)
        usleep(200_000)
        #expect(try sandbox.hoard(["gcc", "-c", "c.c"]).status == 0)
        #expect(try sandbox.hits() == 1)
    }

    @Test(arguments: ["SEGV", "KILL"])
    func `a compiler that crashes or is killed ends the client the same way, counted`(signal: String) throws {
        let sandbox = try Sandbox("crash")
        let script = try sandbox.write(
            "crashcc",
            """
            #!/bin/sh
            for arg in "$@"; do
              if [ "$arg" = "-c" ]; then kill -\(signal) $$; fi
            done
            exec gcc "$@"
            """
        )
        chmod(script, 0o755)
        try sandbox.write("x.c", Self.source)
        let direct = try sandbox.run([script, "-c", "x.c"])
        let cached = try sandbox.hoard([script, "-c", "x.c"])
        #expect(direct.terminatedBySignal && cached.terminatedBySignal)
        #expect(cached.status == direct.status)
        #expect(try sandbox.stat("compiler_killed") == 1)
        #expect(try sandbox.stat("stores") == 0)
    }

    @Test func `an unreachable daemon means an uncached compile, counted when a daemon is next reached`() throws {
        let sandbox = try Sandbox("unreachable")
        try sandbox.write("u.c", Self.source)
        let result = try sandbox.hoard(["gcc", "-c", "u.c"], environment: ["HOARD_DAEMON": "/bin/false"])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: sandbox.work.appendingPathComponent("u.o").path))
        #expect(try sandbox.stat("daemon_unreachable") == 1)
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func `a full disk is a counted storage error and the compile still succeeds`() throws {
        let sandbox = try Sandbox("full")
        let mountPoint = sandbox.root.appendingPathComponent("tiny").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard try sandbox.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint]).status == 0 else {
            Issue.record("cannot mount a tmpfs")
            return
        }
        defer { _ = try? sandbox.run(["umount", mountPoint]) }
        // Fill the small disk so that no entry fits, then compile something with a large, incompressible object.
        try sandbox.run(["dd", "if=/dev/zero", "of=\(mountPoint)/filler", "bs=1k", "count=60"])
        var big = "unsigned char blob[] = {"
        var state: UInt32 = 1
        for _ in 0..<200_000 {
            state = state &* 1_103_515_245 &+ 12345
            big += "\(state >> 24),"
        }
        try sandbox.write("big.c", big + "};\n")
        let environment = ["HOARD_DIR": mountPoint + "/cache"]
        let result = try sandbox.hoard(["gcc", "-c", "big.c"], environment: environment)
        #expect(result.status == 0)
        try sandbox.run(["gcc", "-c", "big.c", "-o", "direct.o"])
        #expect(try sandbox.read("big.o") == sandbox.read("direct.o"))
        usleep(500_000)
        let stats = try sandbox.hoard(["--show-stats", "--json"], environment: environment)
        #expect(stats.stdoutText.contains("\"storage_write_errors\": 1"))
        _ = try sandbox.hoard(["--stop-server"], environment: environment)
    }

    @Test func `fifty cold clients at once start one daemon and all compile correctly`() throws {
        let sandbox = try Sandbox("fifty")
        for n in 0..<50 { try sandbox.write("p\(n).c", "int p\(n)(void) { return \(n); }\n") }
        #expect(sandbox.hoardAtOnce((0..<50).map { ["gcc", "-c", "p\($0).c"] }) == Array(repeating: 0, count: 50))
        #expect(try sandbox.daemonPIDs().count == 1)
        for n in 0..<50 {
            try sandbox.run(["gcc", "-c", "p\(n).c", "-o", "direct.o"])
            #expect(try sandbox.read("p\(n).o") == sandbox.read("direct.o"))
        }
        #expect(try sandbox.stat("misses") == 50)
    }
}
