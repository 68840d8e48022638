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

    @Test func `a directory that must stay missing round-trips as a group without names`() throws {
        let missing = Manifest.AbsentGroup(prefix: "/usr/local/include/bits/", names: [])
        let entry = Manifest.Entry(
            includes: [],
            absentGroups: [missing, Manifest.AbsentGroup(prefix: "inc/", names: ["a.h"])],
            resultKey: CacheKey(digest: BLAKE3.hash([3]))
        )
        let decoded = try Manifest.decode(Manifest(entries: [entry]).encode())
        #expect(decoded.entries == [entry])
        #expect(decoded.entries[0].absentGroups.map(\.isMissingDirectory) == [true, false])
        #expect(decoded.entries[0].absentPaths == ["inc/a.h"])
    }

    static let oddPaths = [
        "/usr/include/bits/a.h", "/usr/include/bits/b.h", "/usr/include/c.h", "d.h", "e.h", "/x.h", "//y.h",
        "/usr/include/bits/sub/f.h", "/usr/include/bits/g.h", "a//b/h.h", "a/", "a", "/usr/include/c.h/",
        ".h", "./i.h", "/usr/include/bitsj.h",
    ]

    @Test func `absent paths are grouped by what precedes their last slash, in order of first appearance`() throws {
        let paths = Self.oddPaths
        let entry = Manifest.Entry(includes: [], absentPaths: paths, resultKey: CacheKey(digest: BLAKE3.hash([1])))
        var expected: [(String, [String])] = []
        for path in paths {
            let prefix = path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
            if let index = expected.firstIndex(where: { $0.0 == prefix }) {
                expected[index].1.append(path)
            } else {
                expected.append((prefix, [path]))
            }
        }
        #expect(entry.absentGroups.map(\.prefix) == expected.map(\.0))
        #expect(entry.absentGroups.map(\.paths) == expected.map(\.1))
        #expect(entry.absentGroups.map(\.directory).prefix(4) == ["/usr/include/bits", "/usr/include", ".", "/"])
        #expect(entry.absentGroups.first { $0.prefix == "//" }?.directory == "/")
        #expect(Set(entry.absentGroups.map(\.digest)).count == expected.count)
        // A digest is computed once asked for, and never makes equal entries differ.
        let twin = Manifest.Entry(includes: [], absentPaths: paths, resultKey: CacheKey(digest: BLAKE3.hash([1])))
        #expect(twin == entry)
        #expect(twin.absentGroups.map(\.digest) == entry.absentGroups.map(\.digest))
        // Every path comes back exactly as given.
        let decoded = try Manifest.decode(Manifest(entries: [entry]).encode())
        #expect(Set(decoded.entries[0].absentPaths) == Set(paths))
        #expect(decoded.entries[0].absentPaths.count == paths.count)
    }

    @Test(arguments: [1, 2])
    func `a manifest written before version 3 is read as no entries`(version: UInt8) throws {
        // Older daemons did not count search directories the compiler ignored: their entries may lack the places a
        // header created there would shadow. Version 1's layout, written out by hand (absent paths one by one).
        var body = Array("HOARDMAN".utf8) + [0, version] + [0, 0, 0, 1]
        body += Hex.decode(CacheKey(digest: BLAKE3.hash([5])).hex) ?? []
        func string(_ text: String) -> [UInt8] {
            let count = UInt32(text.utf8.count)
            return [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
                + Array(text.utf8)
        }
        body += [0, 0, 0, 1] + string("inc/a.h") + BLAKE3.hash([6])
        body += [0, 0, 0, UInt8(Self.oddPaths.count)]
        for path in Self.oddPaths { body += string(path) }
        body += string("/w")
        #expect(try Manifest.decode(body + BLAKE3.hash(body)).entries.isEmpty)
        // A version this daemon does not know is corrupt.
        body[9] = 4
        #expect(throws: StorageError.self) { try Manifest.decode(body + BLAKE3.hash(body)) }
        // What is written now is version 3.
        #expect(Manifest(entries: [Self.entry(1)]).encode()[8..<10] == [0, 3])
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
