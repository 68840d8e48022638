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

    @Test func `absent paths are grouped by their parent directory, in order of first appearance`() {
        let paths = [
            "/usr/include/bits/a.h", "/usr/include/bits/b.h", "/usr/include/c.h", "d.h", "e.h", "/x.h", "//y.h",
            "/usr/include/bits/sub/f.h", "/usr/include/bits/g.h", "a//b/h.h", "a/", "a", "/usr/include/c.h/",
            ".h", "./i.h", "/usr/include/bitsj.h",
        ]
        let entry = Manifest.Entry(includes: [], absentPaths: paths, resultKey: CacheKey(digest: BLAKE3.hash([1])))
        var expected: [(String, [String])] = []
        for path in paths {
            let directory = Path.directory(of: path)
            if let index = expected.firstIndex(where: { $0.0 == directory }) {
                expected[index].1.append(path)
            } else {
                expected.append((directory, [path]))
            }
        }
        #expect(entry.absentGroups.map(\.directory) == expected.map(\.0))
        #expect(entry.absentGroups.map(\.paths) == expected.map(\.1))
        #expect(Set(entry.absentGroups.map(\.digest)).count == expected.count)
        // A digest is computed once asked for, and never makes equal entries differ.
        let twin = Manifest.Entry(includes: [], absentPaths: paths, resultKey: CacheKey(digest: BLAKE3.hash([1])))
        #expect(twin == entry)
        #expect(twin.absentGroups.map(\.digest) == entry.absentGroups.map(\.digest))
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
