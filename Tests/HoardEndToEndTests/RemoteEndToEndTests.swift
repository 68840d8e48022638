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

    /// A fresh namespace in the shared server `url` of backend `remote`.
    static func namespaced(_ url: String, remote: String) -> String {
        let run = "run\(UInt32.random(in: 0...UInt32.max))"
        switch remote {
        case "webdav": return url + "/\(run)"
        case "s3": return url.replacingOccurrences(of: "/cache?", with: "/\(run)?")
        default: return url + "?prefix=\(run):"
        }
    }

    static func stats(_ sandbox: Sandbox, directory: String) throws -> [String: Any] {
        let result = try sandbox.hoard(["--show-stats", "--json"], environment: ["HOARD_DIR": directory])
        return try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
    }

    @Test(.enabled(if: !remotes.isEmpty, "needs the test servers"), arguments: remotes.map(\.name))
    func `read-only mode stores nothing in the remote`(remote: String) throws {
        guard let url = Self.remotes.first(where: { $0.name == remote })?.url else { return }
        let sandbox = try Sandbox("readonly")
        try sandbox.write("r.c", "int r(void) { return \(UInt32.random(in: 0...UInt32.max)); }\n")
        let base = Self.namespaced(url, remote: remote)
        let first = sandbox.root.appendingPathComponent("first").path
        let second = sandbox.root.appendingPathComponent("second").path
        for directory in [first, second] {
            let environment = ["HOARD_DIR": directory, "HOARD_REMOTE": base, "HOARD_REMOTE_READ_ONLY": "1"]
            #expect(try sandbox.hoard(["gcc", "-c", "r.c"], environment: environment).status == 0)
            _ = try sandbox.hoard(["--stop-server"], environment: ["HOARD_DIR": directory])
        }
        #expect(try Self.stats(sandbox, directory: first)["remote_writes"] as? Int == 0)
        #expect(try Self.stats(sandbox, directory: second)["remote_hits"] as? Int == 0)
        for directory in [first, second] {
            _ = try sandbox.hoard(["--stop-server"], environment: ["HOARD_DIR": directory])
        }
    }

    @Test(.enabled(if: !remotes.isEmpty, "needs the test servers"))
    func `remote-only mode keeps nothing on the local disk and still hits`() throws {
        guard let url = Self.remotes.first(where: { $0.name == "redis" })?.url else { return }
        let sandbox = try Sandbox("remoteonly")
        try sandbox.write("o.c", "int o(void) { return \(UInt32.random(in: 0...UInt32.max)); }\n")
        let environment = ["HOARD_REMOTE": Self.namespaced(url, remote: "redis"), "HOARD_REMOTE_ONLY": "1"]
        for _ in 0..<2 { #expect(try sandbox.hoard(["gcc", "-c", "o.c"], environment: environment).status == 0) }
        let stats = try sandbox.stats()
        #expect(stats["remote_hits"] as? Int == 1)
        #expect(stats["cache_entries"] as? Int == 0)
    }

    @Test(.enabled(if: !remotes.isEmpty, "needs the test servers"))
    func `a corrupt remote entry is a counted miss and the compile is correct`() throws {
        guard let url = Self.remotes.first(where: { $0.name == "redis" })?.url,
            let port = url.split(separator: ":").last
        else { return }
        let sandbox = try Sandbox("remotecorrupt")
        let run = "run\(UInt32.random(in: 0...UInt32.max))"
        try sandbox.write("c.c", "int c(void) { return 12; }\n")
        let environment = ["HOARD_REMOTE": url + "?prefix=\(run):", "HOARD_REMOTE_ONLY": "1"]
        #expect(try sandbox.hoard(["gcc", "-c", "c.c"], environment: environment).status == 0)
        let keys = try sandbox.run(["redis-cli", "-p", String(port), "--scan", "--pattern", "\(run):*"]).stdoutText
        for key in keys.split(separator: "\n") {
            try sandbox.run(["redis-cli", "-p", String(port), "SETRANGE", String(key), "60", "garbage"])
        }
        try FileManager.default.removeItem(at: sandbox.work.appendingPathComponent("c.o"))
        #expect(try sandbox.hoard(["gcc", "-c", "c.c"], environment: environment).status == 0)
        try sandbox.run(["gcc", "-c", "c.c", "-o", "direct.o"])
        #expect(try sandbox.read("c.o") == sandbox.read("direct.o"))
        #expect(try sandbox.stat("remote_corrupt_entries") >= 1)
    }

    @Test func `a remote that accepts but never answers costs one timeout, then rests`() throws {
        // A listening socket nobody accepts from: connects succeed, replies never come.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        listen(listener, 64)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let sandbox = try Sandbox("hung")
        let environment = ["HOARD_REMOTE": "redis://127.0.0.1:\(port)", "HOARD_REMOTE_TIMEOUT": "300"]
        let started = Date()
        for n in 0..<5 {
            try sandbox.write("h\(n).c", "int h\(n)(void) { return \(n); }\n")
            #expect(try sandbox.hoard(["gcc", "-c", "h\(n).c"], environment: environment).status == 0)
        }
        #expect(Date().timeIntervalSince(started) < 5, "five compiles with a hung remote took too long")
        let stats = try sandbox.stats()
        #expect(stats["remote_timeouts"] as? Int ?? 0 >= 1)
        #expect(stats["remote_skipped"] as? Int ?? 0 >= 1)
    }

    @Test(
        .enabled(if: luaSource != nil && !remotes.isEmpty, "needs HOARD_TEST_LUA_SOURCE and the test servers"),
        arguments: ["redis", "memcached", "webdav", "s3"]
    )
    func `a remote killed in the middle of a build costs a bounded delay and no failure`(remote: String) throws {
        guard let source = Self.luaSource else { return }
        let sandbox = try Sandbox("remotekill-\(remote)")
        let tree = try ProjectEndToEndTests.copy(source, to: sandbox, as: "lua")
        // A private set of servers, so that killing them touches no other test.
        let servers = sandbox.root.appendingPathComponent("servers").path
        let script = Binaries.packageRoot.appendingPathComponent("scripts/test-servers.sh").path
        let portBase = String(24000 + 4 * Int.random(in: 0..<1000))
        let started = try sandbox.run(
            ["bash", script, "start", servers],
            environment: ["HOARD_TEST_PORT_BASE": portBase]
        )
        #expect(started.status == 0, "\(started.stderrText)")
        defer { _ = try? sandbox.run(["bash", script, "stop", servers]) }
        let variable =
            [
                "redis": "HOARD_TEST_REDIS_URL", "memcached": "HOARD_TEST_MEMCACHED_URL",
                "webdav": "HOARD_TEST_WEBDAV_URL", "s3": "HOARD_TEST_S3_URL",
            ][remote] ?? ""
        let environmentFile = try String(contentsOfFile: servers + "/env", encoding: .utf8)
        guard let line = environmentFile.split(separator: "\n").first(where: { $0.contains(variable + "=") }) else {
            Issue.record("no \(variable) in \(servers)/env")
            return
        }
        let url = String(line.split(separator: "=", maxSplits: 1)[1]).trimmingCharacters(
            in: CharacterSet(charactersIn: "'")
        )
        let bareStart = Date()
        let bare = try Self.buildLua(sandbox, tree: tree, environment: ["HOARD_DISABLE": "1"])
        let bareSeconds = Date().timeIntervalSince(bareStart)
        let killer = Thread {
            usleep(UInt32(bareSeconds / 3 * 1_000_000))
            _ = try? sandbox.run(["bash", script, "stop", servers])
        }
        killer.start()
        let cachedStart = Date()
        let objects = try Self.buildLua(
            sandbox,
            tree: tree,
            environment: ["HOARD_REMOTE": url, "HOARD_REMOTE_TIMEOUT": "1000"]
        )
        let cachedSeconds = Date().timeIntervalSince(cachedStart)
        #expect(objects == bare)
        #expect(
            cachedSeconds < bareSeconds * 2 + 5,
            "the dead remote delayed the build by \(cachedSeconds - bareSeconds) s"
        )
    }
}
