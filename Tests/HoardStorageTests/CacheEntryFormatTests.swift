import HoardStorage
import Testing

@Suite struct CacheEntryFormatTests {
    static let entry = CacheEntry(
        members: [
            CacheEntry.Member(role: 0, mode: 0o644, bytes: Array(repeating: 0x41, count: 10_000)),
            CacheEntry.Member(role: 1, mode: 0o600, bytes: Array("a.o: a.c a.h\n".utf8)),
            CacheEntry.Member(role: 2, mode: 0o644, bytes: []),
        ],
        standardOutput: Array("out\n".utf8),
        standardError: Array("warning: \u{1b}[01mx\u{1b}[m\n".utf8),
        exitStatus: 0
    )

    @Test(arguments: [nil, 1, 19] as [Int?])
    func `an entry round-trips at any compression level`(level: Int?) throws {
        #expect(try CacheEntryFormat.decode(CacheEntryFormat.encode(Self.entry, compressionLevel: level)) == Self.entry)
    }

    @Test func `compression makes repetitive outputs smaller`() {
        #expect(CacheEntryFormat.encode(Self.entry, compressionLevel: 1).count < 1000)
    }

    @Test func `every single flipped byte is detected`() {
        let bytes = CacheEntryFormat.encode(Self.entry, compressionLevel: 1)
        for index in stride(from: 0, to: bytes.count, by: 7) {
            var corrupt = bytes
            corrupt[index] ^= 0x20
            #expect(throws: StorageError.self) { try CacheEntryFormat.decode(corrupt) }
        }
    }

    @Test func `every truncation is detected`() {
        let bytes = CacheEntryFormat.encode(Self.entry, compressionLevel: 1)
        for length in stride(from: 0, to: bytes.count, by: 5) {
            #expect(throws: StorageError.self) { try CacheEntryFormat.decode(Array(bytes.prefix(length))) }
        }
    }
}
