import Foundation
import Testing

/// Two cache directories sharing one remote, with real servers (`scripts/test-servers.sh`).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct RemoteEndToEndTests {
    static let remotes: [(name: String, url: String)] = [
        ("redis", "HOARD_TEST_REDIS_URL"), ("memcached", "HOARD_TEST_MEMCACHED_URL"),
        ("webdav", "HOARD_TEST_WEBDAV_URL"), ("s3", "HOARD_TEST_S3_URL"),
    ].compactMap { name, variable in
        ProcessInfo.processInfo.environment[variable].map { (name, $0) }
    }

    static let luaSource = ProcessInfo.processInfo.environment["HOARD_TEST_LUA_SOURCE"]

    /// Builds Lua in `tree` with `environment`; returns the object files.
    static func buildLua(_ sandbox: Sandbox, tree: URL, environment: [String: String]) throws -> [String: Data] {
        let src = tree.appendingPathComponent("src")
        try sandbox.run(["make", "clean"], in: src)
        let result = try sandbox.run(
            ["make", "-j2", "linux", "CC=\(Binaries.hoard) gcc -std=gnu99"],
            in: src,
            environment: environment
        )
        #expect(result.status == 0, "\(result.stderrText)")
        return try ProjectEndToEndTests.objects(in: src)
    }

    @Test(
        .enabled(if: luaSource != nil && !remotes.isEmpty, "needs HOARD_TEST_LUA_SOURCE and the test servers"),
        arguments: remotes.map(\.name)
    )
    func `a second cache directory gets every hit from the remote, byte for byte`(remote: String) throws {
        guard let url = Self.remotes.first(where: { $0.name == remote })?.url, let source = Self.luaSource else {
            return
        }
        let sandbox = try Sandbox("remote-\(remote)")
        let tree = try ProjectEndToEndTests.copy(source, to: sandbox, as: "lua")
        // A fresh namespace in the shared server for this run.
        let run = "run\(UInt32.random(in: 0...UInt32.max))"
        let base: String
        switch remote {
        case "webdav": base = url + "/\(run)"
        case "s3": base = url.replacingOccurrences(of: "/cache?", with: "/\(run)?")
        default: base = url + "?prefix=\(run):"
        }
        let first = sandbox.root.appendingPathComponent("first").path
        let second = sandbox.root.appendingPathComponent("second").path
        let reference = try Self.buildLua(sandbox, tree: tree, environment: ["HOARD_DISABLE": "1"])
        let one = try Self.buildLua(sandbox, tree: tree, environment: ["HOARD_DIR": first, "HOARD_REMOTE": base])
        #expect(one == reference)
        _ = try sandbox.hoard(["--stop-server"], environment: ["HOARD_DIR": first])  // drains the remote writes
        let two = try Self.buildLua(sandbox, tree: tree, environment: ["HOARD_DIR": second, "HOARD_REMOTE": base])
        #expect(two == reference, "objects restored from the remote equal an uncached build")
        let stats = try sandbox.hoard(["--show-stats", "--json"], environment: ["HOARD_DIR": second])
        let object = try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any] ?? [:]
        #expect(object["remote_hits"] as? Int == reference.count, "\(remote): every object came from the remote")
        #expect(object["misses"] as? Int == 0)
        print("[hoard-e2e] remote \(remote): \(object["remote_hits"] ?? "?")/\(reference.count) remote hits")
        _ = try sandbox.hoard(["--stop-server"], environment: ["HOARD_DIR": second])
    }

    @Test(.enabled(if: !remotes.isEmpty, "needs the test servers"))
    func `read-only mode stores nothing in the remote`() throws {
        guard let url = Self.remotes.first(where: { $0.name == "redis" })?.url else { return }
        let sandbox = try Sandbox("readonly")
        try sandbox.write("r.c", "int r(void) { return \(UInt32.random(in: 0...UInt32.max)); }\n")
        let environment = ["HOARD_REMOTE": url, "HOARD_REMOTE_READ_ONLY": "1"]
        #expect(try sandbox.hoard(["gcc", "-c", "r.c"], environment: environment).status == 0)
        _ = try sandbox.hoard(["--stop-server"])
        #expect(try sandbox.stat("remote_writes") == 0)
        let other = sandbox.root.appendingPathComponent("other").path
        #expect(
            try sandbox.hoard(["gcc", "-c", "r.c"], environment: environment.merging(["HOARD_DIR": other]) { $1 })
                .status == 0
        )
        let stats = try sandbox.hoard(["--show-stats", "--json"], environment: ["HOARD_DIR": other])
        #expect(stats.stdoutText.contains("\"remote_hits\": 0"))
        _ = try sandbox.hoard(["--stop-server"], environment: ["HOARD_DIR": other])
    }

    @Test(.enabled(if: luaSource != nil, "needs HOARD_TEST_LUA_SOURCE"))
    func `a remote killed in the middle of a build costs a bounded delay and no failure`() throws {
        guard let source = Self.luaSource else { return }
        let sandbox = try Sandbox("remotekill")
        let tree = try ProjectEndToEndTests.copy(source, to: sandbox, as: "lua")
        // A private redis-server, so that killing it touches no other test.
        let port = 17000 + Int.random(in: 0..<2000)
        let pidFile = sandbox.root.appendingPathComponent("redis.pid").path
        let start = try sandbox.run([
            "redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "yes", "--pidfile", pidFile,
        ])
        #expect(start.status == 0)
        var serverPID: Int32 = 0
        for _ in 0..<100 where serverPID == 0 {
            usleep(20_000)
            serverPID =
                Int32(
                    (try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(
                        in: .whitespacesAndNewlines
                    ) ?? ""
                ) ?? 0
        }
        #expect(serverPID > 0)
        let pid = serverPID
        defer { kill(pid, SIGKILL) }
        let started = Date()
        let bare = try Self.buildLua(sandbox, tree: tree, environment: ["HOARD_DISABLE": "1"])
        let bareSeconds = Date().timeIntervalSince(started)
        let killer = Thread {
            usleep(UInt32(bareSeconds / 3 * 1_000_000))
            kill(pid, SIGKILL)
        }
        killer.start()
        let cachedStart = Date()
        let objects = try Self.buildLua(
            sandbox,
            tree: tree,
            environment: ["HOARD_REMOTE": "redis://127.0.0.1:\(port)", "HOARD_REMOTE_TIMEOUT": "1000"]
        )
        let cachedSeconds = Date().timeIntervalSince(cachedStart)
        #expect(objects == bare)
        #expect(
            cachedSeconds < bareSeconds * 2 + 5,
            "the dead remote delayed the build by \(cachedSeconds - bareSeconds) s"
        )
        let stats = try sandbox.stats()
        #expect((stats["remote_errors"] as? Int ?? 0) + (stats["remote_timeouts"] as? Int ?? 0) > 0)
    }
}
