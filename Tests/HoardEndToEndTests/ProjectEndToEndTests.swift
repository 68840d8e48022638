import Foundation
import Testing

/// Real projects from Debian source packages, built with make through `hoard` twice with a clean between.
///
/// `scripts/test.sh` unpacks them and sets `HOARD_TEST_LUA_SOURCE` and `HOARD_TEST_ZLIB_SOURCE`.
@Suite(.serialized, .timeLimit(.minutes(15)))
struct ProjectEndToEndTests {
    static let luaSource = ProcessInfo.processInfo.environment["HOARD_TEST_LUA_SOURCE"]
    static let zlibSource = ProcessInfo.processInfo.environment["HOARD_TEST_ZLIB_SOURCE"]

    /// Copies a source tree into the sandbox.
    static func copy(_ source: String, to sandbox: Sandbox, as name: String) throws -> URL {
        let destination = sandbox.work.appendingPathComponent(name)
        let result = try sandbox.run(["cp", "-a", source, destination.path])
        #expect(result.status == 0)
        return destination
    }

    /// Every `.o` under a directory, by relative path.
    static func objects(in directory: URL) throws -> [String: Data] {
        var objects: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: directory.path) where path.hasSuffix(".o") {
            objects[path] = try Data(contentsOf: directory.appendingPathComponent(path))
        }
        return objects
    }

    struct BuildReport {
        var objectCount = 0
        var identical = 0
        var hits = 0
        var directHits = 0
        var misses = 0
    }

    /// Builds `tree` uncached for reference, then cached twice with a clean between, comparing objects.
    static func check(
        sandbox: Sandbox,
        tree: URL,
        compiler: String,
        build: (String) throws -> CommandResult,
        clean: () throws -> Void
    ) throws -> BuildReport {
        let reference = try build("gcc")
        #expect(reference.status == 0, "\(reference.stderrText)")
        let expected = try self.objects(in: tree)
        #expect(!expected.isEmpty)
        try clean()
        var report = BuildReport()
        for round in 0..<2 {
            try sandbox.hoard(["--zero-stats"])
            let result = try build("\(Binaries.hoard) \(compiler)")
            #expect(result.status == 0, "round \(round): \(result.stderrText)")
            let built = try self.objects(in: tree)
            #expect(built.count == expected.count)
            report.objectCount = built.count
            report.identical = built.filter { expected[$0.key] == $0.value }.count
            #expect(report.identical == expected.count, "round \(round): objects differ from the uncached build")
            let stats = try sandbox.stats()
            report.hits = (stats["preprocessed_hits"] as? Int ?? 0) + (stats["direct_hits"] as? Int ?? 0)
            report.directHits = stats["direct_hits"] as? Int ?? 0
            report.misses = stats["misses"] as? Int ?? -1
            if round == 1 {
                #expect(report.misses == 0, "the second build must be all hits")
                #expect(report.directHits == report.objectCount, "every hit of the second build is a direct hit")
            }
            if round == 0 {
                try sandbox.waitForStores(built.count)
                try clean()
            }
        }
        print(
            "[hoard-e2e] \(tree.lastPathComponent): \(report.hits) hits (\(report.directHits) direct), "
                + "\(report.misses) misses, \(report.identical)/\(report.objectCount) objects identical"
        )
        return report
    }

    @Test(.enabled(if: luaSource != nil, "HOARD_TEST_LUA_SOURCE is not set"))
    func `Lua 5.4 rebuilds entirely from hits, byte-identical, and runs`() throws {
        let sandbox = try Sandbox("lua")
        let tree = try Self.copy(Self.luaSource ?? "", to: sandbox, as: "lua")
        let src = tree.appendingPathComponent("src")
        let report = try Self.check(
            sandbox: sandbox,
            tree: src,
            compiler: "gcc",
            build: { cc in try sandbox.run(["make", "-j2", "linux", "CC=\(cc) -std=gnu99"], in: src) },
            clean: { try sandbox.run(["make", "clean"], in: src) }
        )
        #expect(report.objectCount >= 30)
        try sandbox.write(
            "check.lua",
            "local t = {} for i = 1, 10 do t[i] = i * i end print(table.concat(t, ','), string.format('%5.2f', math.pi))\n"
        )
        let run = try sandbox.run([src.appendingPathComponent("lua").path, "check.lua"])
        #expect(run.stdoutText == "1,4,9,16,25,36,49,64,81,100\t 3.14\n")
    }

    @Test(.enabled(if: zlibSource != nil, "HOARD_TEST_ZLIB_SOURCE is not set"))
    func `zlib rebuilds entirely from hits, byte-identical, and passes its test`() throws {
        let sandbox = try Sandbox("zlib")
        let tree = try Self.copy(Self.zlibSource ?? "", to: sandbox, as: "zlib")
        let configure = try sandbox.run(["./configure", "--static"], in: tree, environment: ["CC": "gcc"])
        #expect(configure.status == 0, "\(configure.stderrText)")
        let report = try Self.check(
            sandbox: sandbox,
            tree: tree,
            compiler: "gcc",
            build: { cc in try sandbox.run(["make", "-j2", "CC=\(cc)", "libz.a", "example", "minigzip"], in: tree) },
            clean: { try sandbox.run(["make", "clean"], in: tree) }
        )
        #expect(report.objectCount >= 15)
        let test = try sandbox.run(["./example"], in: tree)
        #expect(test.status == 0)
        #expect(test.stdoutText.contains("inflate with dictionary"))
    }
}
