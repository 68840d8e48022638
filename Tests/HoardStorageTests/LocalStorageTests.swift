import Foundation
import HoardCore
import HoardStorage
import Testing

@Suite struct LocalStorageTests {
    let directory: String

    init() throws {
        self.directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("hoard-ls-\(UUID().uuidString)").path
    }

    static func key(_ n: Int) -> CacheKey {
        CacheKey(digest: BLAKE3.hash(Array("key \(n)".utf8)))
    }

    static func entry(size: Int, fill: UInt8 = 1) -> CacheEntry {
        // Incompressible content, so that sizes on disk are predictable.
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return CacheEntry(
            members: [CacheEntry.Member(role: 0, mode: 0o644, bytes: bytes)],
            standardOutput: [],
            standardError: [fill],
            exitStatus: 0
        )
    }

    @Test func `a missing key is a miss, not an error`() throws {
        let storage = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        #expect(try storage.entry(for: Self.key(1)) == nil)
    }

    @Test func `a stored entry is found at its sharded path and can be overwritten`() throws {
        let storage = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        let key = Self.key(1)
        let first = Self.entry(size: 100, fill: 1)
        let second = Self.entry(size: 5 << 20, fill: 2)
        try storage.store(first, for: key)
        #expect(try storage.entry(for: key) == first)
        let hex = Array(key.hex)
        #expect(FileManager.default.fileExists(atPath: "\(self.directory)/\(hex[0])/\(key.hex)"))
        try storage.store(second, for: key)
        #expect(try storage.entry(for: key) == second)
        #expect(storage.usage.entries == 1)
    }

    @Test func `a corrupt entry is an error once, then deleted and a miss`() throws {
        let storage = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        let key = Self.key(2)
        try storage.store(Self.entry(size: 1000), for: key)
        let path = storage.path(for: key)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 500)
        try handle.close()
        #expect(throws: StorageError.self) { try storage.entry(for: key) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try storage.entry(for: key) == nil)
    }

    @Test func `the size limit evicts the least recently used entries first`() throws {
        let storage = try LocalStorage(directory: self.directory, maximumSize: 100_000, compressionLevel: nil)
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        for n in 0..<8 { try storage.store(Self.entry(size: 10_000), for: Self.key(n)) }
        _ = try storage.entry(for: Self.key(0))  // the oldest, now recently used
        for n in 8..<12 { try storage.store(Self.entry(size: 10_000), for: Self.key(n)) }
        #expect(storage.usage.bytes <= 100_000)
        #expect(try storage.entry(for: Self.key(0)) != nil)
        #expect(try storage.entry(for: Self.key(1)) == nil)
        #expect(try storage.entry(for: Self.key(11)) != nil)
        #expect(storage.evictionCount > 0)
    }

    @Test func `the index is rebuilt from the directory and temporaries are removed`() throws {
        do {
            let storage = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
            for n in 0..<5 { try storage.store(Self.entry(size: 1000), for: Self.key(n)) }
        }
        let shard = "\(self.directory)/0"
        try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(shard)/.left-over.tmp", contents: Data([1]))
        let reopened = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        #expect(reopened.usage.entries == 5)
        #expect(!FileManager.default.fileExists(atPath: "\(shard)/.left-over.tmp"))
        reopened.clear()
        #expect(reopened.usage.entries == 0)
        #expect(try reopened.entry(for: Self.key(0)) == nil)
    }

    @Test func `entries of the two-level layout are moved up a level when the index is rebuilt`() throws {
        let fileManager = FileManager.default
        var moved: [(key: CacheKey, entry: CacheEntry, old: String)] = []
        do {
            let storage = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
            for n in 0..<6 {
                let (key, entry) = (Self.key(n), Self.entry(size: 1000, fill: UInt8(n)))
                try storage.store(entry, for: key)
                let hex = Array(key.hex)
                let old = "\(self.directory)/\(hex[0])/\(hex[1])/\(key.hex)"
                try fileManager.createDirectory(atPath: Path.directory(of: old), withIntermediateDirectories: true)
                try fileManager.moveItem(atPath: storage.path(for: key), toPath: old)
                moved.append((key, entry, old))
            }
            try storage.addManifestEntry(ManifestTests.entry(1), for: Self.key(99))
            let manifest = storage.manifestPath(for: Self.key(99))
            let hex = Array(Self.key(99).hex)
            let old = "\(self.directory)/\(hex[0])/\(hex[1])/\(Self.key(99).hex).manifest"
            try fileManager.createDirectory(atPath: Path.directory(of: old), withIntermediateDirectories: true)
            try fileManager.moveItem(atPath: manifest, toPath: old)
        }
        let subshard = Path.directory(of: moved[0].old)
        _ = fileManager.createFile(atPath: "\(subshard)/.left-over.tmp", contents: Data([1]))
        let reopened = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
        defer { try? fileManager.removeItem(atPath: self.directory) }
        #expect(reopened.usage.entries == 6)
        for item in moved {
            #expect(try reopened.entry(for: item.key) == item.entry)
            #expect(fileManager.fileExists(atPath: reopened.path(for: item.key)))
            #expect(!fileManager.fileExists(atPath: Path.directory(of: item.old)), "the old shard is gone")
        }
        #expect(try reopened.manifest(for: Self.key(99))?.entries == [ManifestTests.entry(1)])
    }

    @Test func `concurrent stores and reads of the same keys never see a partial entry`() async throws {
        let storage = try LocalStorage(directory: self.directory, maximumSize: 1 << 30)
        defer { try? FileManager.default.removeItem(atPath: self.directory) }
        let entries = (0..<4).map { Self.entry(size: 200_000, fill: UInt8($0)) }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for round in 0..<20 {
                        let key = Self.key(round % 3)
                        if worker % 2 == 0 {
                            _ = try? storage.store(entries[(worker + round) % 4], for: key)
                        } else if let found = try? storage.entry(for: key) {
                            #expect(entries.contains(found))
                        }
                    }
                }
            }
        }
    }
}
