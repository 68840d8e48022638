import Foundation
import HoardRemoteStorage
import HoardStorage
import Testing

/// One suite, run against every real server `scripts/test-servers.sh` started (`HOARD_TEST_*_URL`).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RemoteBackendConformanceTests {
    static let urls: [String] = [
        "HOARD_TEST_REDIS_URL", "HOARD_TEST_MEMCACHED_URL", "HOARD_TEST_WEBDAV_URL", "HOARD_TEST_S3_URL",
        "HOARD_TEST_REDIS_TLS_URL", "HOARD_TEST_WEBDAV_TLS_URL",
    ].compactMap { ProcessInfo.processInfo.environment[$0] }

    static func backend(_ url: String) throws -> any RemoteBackend {
        try makeRemoteBackend(url, timeouts: RemoteTimeouts(connectMilliseconds: 1000, operationMilliseconds: 10_000))
    }

    static func name() -> String {
        (0..<64).map { _ in "0123456789abcdef".randomElement().map(String.init) ?? "0" }.joined()
    }

    @Test func `the test servers are configured`() {
        #expect(
            Self.urls.count == 6,
            "scripts/test-servers.sh sets HOARD_TEST_*_URL; run the tests through scripts/test.sh"
        )
    }

    @Test(arguments: urls)
    func `a missing blob is nil`(url: String) throws {
        #expect(try Self.backend(url).get(Self.name()) == nil)
    }

    @Test(arguments: urls)
    func `a blob reads back as written, and an overwrite replaces it`(url: String) throws {
        let backend = try Self.backend(url)
        let name = Self.name()
        try backend.put(name, Array("first".utf8))
        #expect(try backend.get(name) == Array("first".utf8))
        try backend.put(name, Array("second, longer".utf8))
        #expect(try backend.get(name) == Array("second, longer".utf8))
        let manifest = name + ".manifest"
        try backend.put(manifest, [0, 1, 2, 255])
        #expect(try backend.get(manifest) == [0, 1, 2, 255])
    }

    @Test(arguments: urls)
    func `a blob of several MiB survives the trip`(url: String) throws {
        let backend = try Self.backend(url)
        let name = Self.name()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(5 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try backend.put(name, bytes)
        #expect(try backend.get(name) == bytes)
    }

    @Test(arguments: urls)
    func `concurrent puts of one name and of many names are all readable`(url: String) async throws {
        let backend = try Self.backend(url)
        let shared = Self.name()
        let names = (0..<8).map { _ in Self.name() }
        let candidates = (0..<8).map { Array("value \($0) ".utf8) + Array(repeating: UInt8($0), count: 10_000) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try backend.put(shared, candidates[index])
                    try backend.put(names[index], candidates[index])
                }
            }
            try await group.waitForAll()
        }
        #expect(candidates.contains(try backend.get(shared) ?? []))
        for (index, name) in names.enumerated() { #expect(try backend.get(name) == candidates[index]) }
    }

    @Test func `memcached refuses a blob over its item limit without breaking the connection`() throws {
        guard let url = ProcessInfo.processInfo.environment["HOARD_TEST_MEMCACHED_URL"] else { return }
        let backend = try Self.backend(url)
        let name = Self.name()
        #expect(throws: StorageError.self) { try backend.put(name, Array(repeating: 7, count: 9 << 20)) }
        try backend.put(name, [1, 2, 3])
        #expect(try backend.get(name) == [1, 2, 3])
    }

    @Test func `a TLS server whose certificate does not name the host is refused`() throws {
        guard let url = ProcessInfo.processInfo.environment["HOARD_TEST_REDIS_TLS_URL"] else { return }
        // The test certificate names 127.0.0.1 only.
        let backend = try Self.backend(url.replacingOccurrences(of: "127.0.0.1", with: "localhost"))
        #expect(throws: StorageError.self) { try backend.get(Self.name()) }
        #expect(try Self.backend(url).get(Self.name()) == nil)
    }

    @Test func `a server that is not there fails fast with a clear error`() throws {
        let backend = try Self.backend("redis://127.0.0.1:1")
        let started = Date()
        #expect(throws: StorageError.self) { try backend.get(Self.name()) }
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test(arguments: ["ftp://x", "redis://", "redis://host:notaport", "http://h/p?layout=tree"])
    func `a malformed or unknown URL is an error naming it`(url: String) {
        #expect(throws: StorageError.self) { try Self.backend(url) }
    }

    @Test func `URLs are parsed with credentials, ports, paths and queries`() throws {
        let url = try RemoteURL("rediss://user:p%40ss@cache.example:6380/2?prefix=ci:&expiry=60")
        #expect(url.scheme == "rediss" && url.user == "user" && url.password == "p@ss")
        #expect(url.host == "cache.example" && url.port == 6380 && url.path == "/2")
        #expect(url.query == ["prefix": "ci:", "expiry": "60"])
    }
}
