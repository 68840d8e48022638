import Foundation
import HoardCore
import HoardWire
import Testing

@testable import HoardDaemon

/// The daemon in-process, on a temporary socket, spoken to through the wire protocol.
@Suite(.serialized, .timeLimit(.minutes(1)))
final class DaemonTests {
    let directory: String
    let socketPath: String
    let daemon: Daemon
    let finished = DispatchSemaphore(value: 0)

    init() throws {
        let root = "/tmp/hoard-daemon-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/work", withIntermediateDirectories: true)
        self.directory = root
        self.socketPath = root + "/d.sock"
        var configuration = Configuration(defaultCacheDirectory: root + "/cache")
        configuration.idleTimeoutSeconds = 0
        var options = Daemon.Options(configuration: configuration)
        options.socketPath = self.socketPath
        options.daemonLockPath = root + "/d.lock"
        self.daemon = try Daemon(options: options)
        let daemon = self.daemon
        let finished = self.finished
        Thread.detachNewThread {
            _ = daemon.run()
            finished.signal()
        }
        for _ in 0..<500 where (try? UnixSocket.connect(to: self.socketPath)) == nil { usleep(2000) }
    }

    deinit {
        _ = try? self.request(.shutdown)
        _ = self.finished.wait(timeout: .now() + 10)
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    func request(_ request: Request, hello: Bool = true) throws -> Response {
        let socket = try UnixSocket.connect(to: self.socketPath)
        socket.setTimeout(milliseconds: 5000)
        if hello {
            try socket.send(Request.hello(protocolVersion: wireProtocolVersion, clientVersion: "test").encode())
            _ = try socket.receive()
        }
        try socket.send(request.encode())
        guard let reply = try socket.receive() else { throw SystemError("closed", errno: ECONNRESET) }
        return try Response.decode(reply)
    }

    func stats() throws -> [UInt16: UInt64] {
        guard case .stats(let stats) = try self.request(.getStats) else { return [:] }
        return Dictionary(uniqueKeysWithValues: stats.counters.map { ($0.id, $0.value) })
    }

    /// Stores `output` under `key` (``key`` unless given) as a compile in `directory` that printed `stdout` and
    /// `stderr` and exited 0, with `manifest`.
    @discardableResult
    func store(
        _ output: WireOutput,
        key: String = DaemonTests.key,
        in directory: String = "/",
        stdout: [UInt8] = [],
        stderr: [UInt8] = [],
        manifest: WireManifestRecord? = nil
    ) throws -> Response {
        try self.request(
            .cachePut(
                key: key,
                workingDirectory: directory,
                baseDirectories: [],
                outputs: [output],
                stdout: stdout,
                stderr: stderr,
                exitStatus: 0,
                elapsedMicroseconds: 10,
                manifest: manifest
            )
        )
    }

    /// Asks for ``key`` with its object restored to `path`.
    func get(into path: String, umask: UInt32 = 0o022) throws -> Response {
        try self.request(
            .cacheGet(
                key: Self.key,
                workingDirectory: "/",
                outputs: [WireOutput(role: 0, path: path, flag: false)],
                umask: umask,
                elapsedMicroseconds: 0
            )
        )
    }

    func writeOutput(_ name: String, _ content: String) throws -> WireOutput {
        let path = self.directory + "/work/" + name
        try content.write(toFile: path, atomically: false, encoding: .utf8)
        let stamp = try #require(FileSystem.stamp(of: path))
        return WireOutput(role: 0, path: path, flag: true, stamp: stamp)
    }

    static let key = String(repeating: "5", count: 64)

    @Test func `hello answers with the protocol version`() throws {
        guard
            case .hello(let version, _, let pid) = try self.request(
                .hello(protocolVersion: 1, clientVersion: "x"),
                hello: false
            )
        else {
            Issue.record("expected hello")
            return
        }
        #expect(version == wireProtocolVersion)
        #expect(pid == UInt32(getpid()))
    }

    @Test func `a put followed by a get restores the file with the client's umask`() throws {
        let output = try self.writeOutput("a.o", "object bytes")
        try self.store(output, stdout: [1], stderr: [2])
        let restored = self.directory + "/work/restored.o"
        let reply = try self.get(into: restored, umask: 0o077)
        #expect(reply == .hit(stdout: [1], stderr: [2], exitStatus: 0))
        #expect(try String(contentsOfFile: restored, encoding: .utf8) == "object bytes")
        let mode = try FileManager.default.attributesOfItem(atPath: restored)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try self.stats()[Statistic.preprocessedHits.rawValue] == 1)
    }

    @Test func `a hit into an output that already holds its bytes only refreshes its time, and others are replaced`()
        throws
    {
        let output = try self.writeOutput("same.o", "object bytes")
        try self.store(output)
        let get = Request.cacheGet(
            key: Self.key,
            workingDirectory: "/",
            outputs: [WireOutput(role: 0, path: output.path, flag: false)],
            umask: 0o022,
            elapsedMicroseconds: 5
        )
        // Same bytes and mode: the file stays, with a new modification time.
        #expect(chmod(output.path, 0o644) == 0)
        var past = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, output.path, &past, 0) == 0)
        let before = try #require(FileSystem.stamp(of: output.path))
        #expect(try self.request(get) == .hit(stdout: [], stderr: [], exitStatus: 0))
        let after = try #require(FileSystem.stamp(of: output.path))
        #expect(after.inode == before.inode)
        #expect(after.mtimeNanoseconds > 1_000_000 * 1_000_000_000)
        #expect(try String(contentsOfFile: output.path, encoding: .utf8) == "object bytes")
        // Other bytes, or the same bytes with another mode, are replaced by the entry's.
        for (content, mode) in [("other bytes!", 0o644), ("object bytes", 0o600)] {
            try content.write(toFile: output.path, atomically: false, encoding: .utf8)
            #expect(chmod(output.path, mode_t(mode)) == 0)
            #expect(try self.request(get) == .hit(stdout: [], stderr: [], exitStatus: 0))
            #expect(try String(contentsOfFile: output.path, encoding: .utf8) == "object bytes")
            let restoredMode = try FileManager.default.attributesOfItem(atPath: output.path)[.posixPermissions] as? Int
            #expect(restoredMode == 0o644)
        }
    }

    @Test func `a missing key is a miss`() throws {
        let reply = try self.get(into: self.directory + "/work/x.o")
        #expect(reply == .miss)
        #expect(try self.stats()[Statistic.misses.rawValue] == 1)
    }

    @Test(arguments: ["relative/a.o", "/tmp/../etc/a.o", "/nonexistent-dir-hoard/a.o", "/tmp//a.o"])
    func `a path outside the rules is refused and counted`(path: String) throws {
        let reply = try self.get(into: path)
        guard case .error(let code, _) = reply else {
            Issue.record("expected an error, got \(reply)")
            return
        }
        #expect(code == WireErrorCode.invalidPath)
        #expect(try self.stats()[Statistic.invalidPaths.rawValue] == 1)
    }

    @Test func `an output that changed after the compile is not stored`() throws {
        var output = try self.writeOutput("b.o", "first")
        output.stamp.size += 1
        try self.store(output)
        #expect(try self.stats()[Statistic.outputsChangedBeforeStore.rawValue] == 1)
        let reply = try self.get(into: output.path)
        #expect(reply == .miss)
    }

    @Test func `an entry without a required output is a miss and leaves no partial files`() throws {
        let output = try self.writeOutput("c.o", "object")
        try self.store(output)
        let object = self.directory + "/work/c2.o"
        let depfile = self.directory + "/work/c2.d"
        let reply = try self.request(
            .cacheGet(
                key: Self.key,
                workingDirectory: "/",
                outputs: [
                    WireOutput(role: 0, path: object, flag: false), WireOutput(role: 1, path: depfile, flag: false),
                ],
                umask: 0o022,
                elapsedMicroseconds: 0
            )
        )
        #expect(reply == .miss)
        #expect(!FileManager.default.fileExists(atPath: object))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: self.directory + "/work").filter { $0.hasPrefix(".") }
                .isEmpty
        )
    }

    @Test func `compiler identities are cached by path and stamp`() throws {
        let stamp = WireFileStamp(size: 1, mtimeNanoseconds: 2, ctimeNanoseconds: 3, inode: 4, device: 5)
        #expect(try self.request(.compilerIdentityGet(path: "/usr/bin/cc", stamp: stamp)) == .compilerIdentity(nil))
        _ = try self.request(.compilerIdentityPut(path: "/usr/bin/cc", stamp: stamp, identity: [7]))
        #expect(try self.request(.compilerIdentityGet(path: "/usr/bin/cc", stamp: stamp)) == .compilerIdentity([7]))
        var touched = stamp
        touched.mtimeNanoseconds += 1
        #expect(try self.request(.compilerIdentityGet(path: "/usr/bin/cc", stamp: touched)) == .compilerIdentity(nil))
    }

    @Test func `a compiler's identity is written where clients read it, and a fact about it is not`() throws {
        let stamp = WireFileStamp(size: 1, mtimeNanoseconds: 2, ctimeNanoseconds: 3, inode: 4, device: 5)
        let cache = self.directory + "/cache"
        _ = try self.request(.compilerIdentityPut(path: "/usr/bin/cc", stamp: stamp, identity: [7, 8]))
        let file = CompilerIdentityFile.path(for: "/usr/bin/cc", cacheDirectory: cache)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(CompilerIdentityFile.identity(in: bytes, compilerPath: "/usr/bin/cc", stamp: stamp) == [7, 8])
        let fact = "/usr/bin/cc\u{0}search list 0123"
        _ = try self.request(.compilerIdentityPut(path: fact, stamp: stamp, identity: [9]))
        #expect(!FileManager.default.fileExists(atPath: CompilerIdentityFile.path(for: fact, cacheDirectory: cache)))
    }

    @Test func `a malformed request gets a typed error and the connection stays usable`() throws {
        let socket = try UnixSocket.connect(to: self.socketPath)
        socket.setTimeout(milliseconds: 5000)
        try socket.send([99, 1, 2])
        let reply = try Response.decode(try #require(try socket.receive()))
        guard case .error(let code, _) = reply else {
            Issue.record("expected an error")
            return
        }
        #expect(code == WireErrorCode.badRequest)
        try socket.send(Request.hello(protocolVersion: wireProtocolVersion, clientVersion: "t").encode())
        #expect(try socket.receive() != nil)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to connect as another user"))
    func `a connection from another user is refused`() throws {
        chmod(self.socketPath, 0o666)
        chmod(self.directory, 0o755)
        // As nobody: connect, send Hello, and report whether any reply came back.
        let script = """
            import socket, struct, sys
            s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
            hello = bytes([1]) + struct.pack(">I", 1) + struct.pack(">I", 4) + b"test"
            try:
                s.sendall(struct.pack(">I", len(hello)) + hello)
                print("reply" if s.recv(4) else "closed")
            except (ConnectionResetError, BrokenPipeError):
                print("closed")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, self.socketPath,
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text == "closed\n", "\(problems)")
    }

    @Test func `recorded statistics add up and zeroing resets them`() throws {
        _ = try self.request(
            .recordStats([WireCounter(id: Statistic.saveTemps.rawValue, value: 2), WireCounter(id: 999, value: 5)])
        )
        #expect(try self.stats()[Statistic.saveTemps.rawValue] == 2)
        _ = try self.request(.zeroStats)
        #expect(try self.stats()[Statistic.saveTemps.rawValue] == 0)
    }

    /// Where the local storage keeps the entry under ``key``.
    var entryPath: String { self.directory + "/cache/" + Self.key.prefix(1) + "/" + Self.key }

    /// A connection that has said hello and stays open, as a client's does during its compile.
    func connectedClient() throws -> UnixSocket {
        let socket = try UnixSocket.connect(to: self.socketPath)
        socket.setTimeout(milliseconds: 5000)
        try socket.send(Request.hello(protocolVersion: wireProtocolVersion, clientVersion: "test").encode())
        _ = try socket.receive()
        return socket
    }

    @Test func `a store waits while a client is connected, and a lookup of its key stores it first`() throws {
        let client = try self.connectedClient()
        try self.store(try self.writeOutput("w.o", "waiting"))
        usleep(useconds_t(PendingStores.pause / 1000) + 200_000)
        #expect(!FileManager.default.fileExists(atPath: self.entryPath))
        let restored = self.directory + "/work/w-restored.o"
        let reply = try self.get(into: restored)
        #expect(reply == .hit(stdout: [], stderr: [], exitStatus: 0))
        #expect(try String(contentsOfFile: restored, encoding: .utf8) == "waiting")
        _ = consume client
    }

    @Test func `a waiting store is written once no client has been connected for a pause`() throws {
        try self.store(try self.writeOutput("q.o", "quiet"))
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: self.entryPath) { usleep(50_000) }
        #expect(FileManager.default.fileExists(atPath: self.entryPath))
    }

    @Test func `flushing stores replies once every waiting store is written`() throws {
        let client = try self.connectedClient()
        try self.store(try self.writeOutput("f.o", "flushed"))
        #expect(!FileManager.default.fileExists(atPath: self.entryPath))
        #expect(try self.request(.flushStores) == .ok)
        #expect(FileManager.default.fileExists(atPath: self.entryPath))
        _ = consume client
    }

    @Test func `outputs are read when the store arrives, so a later change does not lose it`() throws {
        let client = try self.connectedClient()
        let output = try self.writeOutput("m.d", "a.o: a.c")
        try self.store(output)
        // As autotools' depcomp moves the dependency file once the compile ends.
        try FileManager.default.moveItem(atPath: output.path, toPath: output.path + ".moved")
        #expect(try self.request(.flushStores) == .ok)
        #expect(try self.stats()[Statistic.stores.rawValue] == 1)
        #expect(try self.stats()[Statistic.outputsChangedBeforeStore.rawValue] == 0)
        _ = consume client
    }

    @Test func `shadowing candidates worked out from includer directories are those a client would send`() throws {
        let work = self.directory + "/work"
        for directory in ["first", "second", "src"] {
            try FileManager.default.createDirectory(atPath: work + "/" + directory, withIntermediateDirectories: true)
        }
        try "#define S 1\n".write(toFile: work + "/second/s.h", atomically: false, encoding: .utf8)
        try "#define T 1\n".write(toFile: work + "/first/t.h", atomically: false, encoding: .utf8)
        let search = IncludeSearchPath(quoteDirectories: [], angleDirectories: ["first", "second", "missing"])
        let includes = ["second/s.h", "first/t.h"]
        let includers = IncludeSearchPath.directories(of: ["src/m.c"] + includes)
        func record(candidates: [WireCandidateGroup], includerDirectories: [String]?) -> WireManifestRecord {
            WireManifestRecord(
                manifestKey: Self.key,
                resultKey: "",
                workingDirectory: work,
                includes: includes,
                absentPaths: [],
                shadowCandidates: candidates,
                allowTimeMacros: false,
                searchDirectories: search.allDirectories,
                compileStarted: WallClock.now() + 1_000_000_000,
                includerDirectories: includerDirectories
            )
        }
        let sent = self.daemon.validate(
            record(
                candidates: search.shadowCandidateGroups(for: includes.map { ($0, includers) }),
                includerDirectories: nil
            )
        )
        let workedOut = self.daemon.validate(record(candidates: [], includerDirectories: includers))
        guard case .success(let expected) = sent, case .success(let found) = workedOut else {
            Issue.record("a record was refused: \(sent), \(workedOut)")
            return
        }
        #expect(found.1 == expected.1)
        // s.h in src and first, t.h in src: absent; s.h in second's own directory is the include itself.
        let absent = Set(found.1.absentGroups.flatMap { group in group.names.map { group.prefix + $0 } })
        #expect(absent.isSuperset(of: ["src/s.h", "first/s.h", "src/t.h"]))
        #expect(!absent.contains("second/s.h"))
    }

    @Test func `a crate's entry hits only while its variables keep the values the compile read`() throws {
        let work = self.directory + "/work"
        try "pub const T: &str = env!(\"TAG\");\n".write(toFile: work + "/lib.rs", atomically: false, encoding: .utf8)
        let manifestKey = String(repeating: "7", count: 64)
        func put(_ tag: String) throws {
            let output = try self.writeOutput("lib.rlib", "rlib built with \(tag)")
            let record = WireManifestRecord(
                manifestKey: manifestKey,
                resultKey: "",
                workingDirectory: work,
                includes: ["lib.rs"],
                absentPaths: ["lib/mod.rs"],
                allowTimeMacros: true,
                compileStarted: WallClock.now() + 1_000_000_000,
                environmentDependencies: ["TAG=\(tag)", "UNSET"]
            )
            try self.store(output, key: "", in: work, manifest: record)
            _ = try self.request(.flushStores)
        }
        func get(_ environment: [String]) throws -> String? {
            let restored = work + "/restored.rlib"
            try? FileManager.default.removeItem(atPath: restored)
            let reply = try self.request(
                .directGet(
                    manifestKey: manifestKey,
                    workingDirectory: work,
                    outputs: [WireOutput(role: 0, path: restored, flag: false)],
                    umask: 0o022,
                    elapsedMicroseconds: 0,
                    environment: environment
                )
            )
            guard case .hit = reply else { return nil }
            return try String(contentsOfFile: restored, encoding: .utf8)
        }
        try put("one")
        try put("two")
        #expect(try get(["PATH=/bin", "TAG=one"]) == "rlib built with one")
        #expect(try get(["TAG=two"]) == "rlib built with two")
        #expect(try get(["TAG=three"]) == nil)
        #expect(try get([]) == nil, "TAG unset")
        #expect(try get(["TAG=one", "UNSET="]) == nil, "a variable read as unset is now set")
        // The sources count as before: a changed one misses.
        try "pub const T: &str = \"\";\n".write(toFile: work + "/lib.rs", atomically: false, encoding: .utf8)
        #expect(try get(["TAG=one"]) == nil)
    }

    @Test(arguments: ["not-a-key", ""])
    func `a put whose key names no result is refused at once`(key: String) throws {
        let reply = try self.store(try self.writeOutput("k.o", "key"), key: key)
        #expect(reply == .error(code: WireErrorCode.invalidPath, message: "invalid key"))
        let stats = try self.stats()
        #expect((stats[Statistic.stores.rawValue] ?? 0) == 0)
        #expect(stats[Statistic.invalidPaths.rawValue] == 1)
    }

    @Test func `a daemon that stops writes the stores that wait`() throws {
        let client = try self.connectedClient()
        try self.store(try self.writeOutput("s.o", "stopping"))
        #expect(!FileManager.default.fileExists(atPath: self.entryPath))
        #expect(try self.request(.shutdown) == .ok)
        _ = consume client
        #expect(self.finished.wait(timeout: .now() + 10) == .success)
        self.finished.signal()  // for deinit
        #expect(FileManager.default.fileExists(atPath: self.entryPath))
    }
}
