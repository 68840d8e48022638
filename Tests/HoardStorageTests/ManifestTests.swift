import HoardCore
import HoardStorage
import Testing

@Suite struct ManifestTests {
    static func entry(_ n: Int) -> Manifest.Entry {
        Manifest.Entry(
            includes: [Manifest.Include(path: "inc/h\(n).h", digest: BLAKE3.hash([UInt8(n)]))],
            absentPaths: ["h\(n).h"],
            resultKey: CacheKey(digest: BLAKE3.hash([UInt8(n), 1])),
            pinnedDirectory: n.isMultiple(of: 2) ? "" : "/w"
        )
    }

    @Test func `a manifest round-trips and detects corruption`() throws {
        let manifest = Manifest(entries: [Self.entry(1), Self.entry(2)])
        let bytes = manifest.encode()
        #expect(try Manifest.decode(bytes) == manifest)
        var corrupt = bytes
        corrupt[20] ^= 1
        #expect(throws: StorageError.self) { try Manifest.decode(corrupt) }
        #expect(throws: StorageError.self) { try Manifest.decode(Array(bytes.dropLast(3))) }
    }

    @Test func `adding keeps the newest first, drops duplicates and stays bounded`() {
        var manifest = Manifest()
        for n in 0..<20 { manifest.add(Self.entry(n)) }
        manifest.add(Self.entry(18))
        #expect(manifest.entries.count == Manifest.maximumEntries)
        #expect(manifest.entries.first == Self.entry(18))
        #expect(manifest.entries[1] == Self.entry(19))
    }

    @Test func `concurrent updates of one manifest lose no entry`() async throws {
        let directory = "/tmp/hoard-manifest-\(UInt64.random(in: 0...UInt64.max))"
        let storage = try LocalStorage(directory: directory, maximumSize: 1 << 30)
        let key = CacheKey(digest: BLAKE3.hash([9]))
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<12 {
                group.addTask { _ = try? storage.addManifestEntry(Self.entry(n), for: key) }
            }
        }
        #expect(try storage.manifest(for: key)?.entries.count == 12)
        storage.clear()
    }
}
