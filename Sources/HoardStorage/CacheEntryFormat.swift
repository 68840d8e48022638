import CZstd
import HoardCore

/// The on-disk encoding of a ``CacheEntry`` (docs/storage.md, "Entry format").
///
/// Big-endian. `"HOARDENT"`, format version (u16), compression (u8: 0 none, 1 zstd), exit status (i32),
/// member count (u32) and per member role (u8), mode (u32), size (u64); stdout size (u64), stderr size (u64),
/// payload size uncompressed (u64) and stored (u64); the payload (stdout, stderr, then the members in order);
/// and a 32-byte BLAKE3 of everything before it.
public enum CacheEntryFormat {
    /// The magic bytes.
    static let magic = Array("HOARDENT".utf8)
    /// The format version written.
    public static let version: UInt16 = 1
    /// The largest entry decoded, as a guard against hostile sizes.
    static let maximumPayload: UInt64 = 4 << 30

    /// Encodes an entry.
    ///
    /// - Parameters:
    ///   - entry: the entry.
    ///   - compressionLevel: the zstd level; `nil` stores uncompressed.
    /// - Returns: the file's bytes.
    public static func encode(_ entry: CacheEntry, compressionLevel: Int?) -> [UInt8] {
        var payload = entry.standardOutput + entry.standardError
        for member in entry.members { payload += member.bytes }
        var stored = payload
        var compression: UInt8 = 0
        if let level = compressionLevel, !payload.isEmpty,
            let compressed = ZstdContexts.compress(payload, level: Int32(level)), compressed.count < payload.count
        {
            stored = compressed
            compression = 1
        }
        var out = self.magic
        out.reserveCapacity(stored.count + 128 + entry.members.count * 13)
        append(&out, UInt64(self.version), bytes: 2)
        out.append(compression)
        append(&out, UInt64(UInt32(bitPattern: entry.exitStatus)), bytes: 4)
        append(&out, UInt64(entry.members.count), bytes: 4)
        for member in entry.members {
            out.append(member.role)
            append(&out, UInt64(member.mode), bytes: 4)
            append(&out, UInt64(member.bytes.count), bytes: 8)
        }
        append(&out, UInt64(entry.standardOutput.count), bytes: 8)
        append(&out, UInt64(entry.standardError.count), bytes: 8)
        append(&out, UInt64(payload.count), bytes: 8)
        append(&out, UInt64(stored.count), bytes: 8)
        out += stored
        out += BLAKE3.hash(out)
        return out
    }

    /// Decodes an entry, verifying its checksum.
    ///
    /// - Parameter bytes: the file's bytes.
    /// - Returns: the entry.
    /// - Throws: ``StorageError`` with code `corrupt` on any inconsistency.
    public static func decode(_ bytes: [UInt8]) throws(StorageError) -> CacheEntry {
        guard bytes.count >= self.magic.count + 32, bytes.starts(with: self.magic) else {
            throw StorageError(.corrupt, "not a Hoard entry")
        }
        let body = bytes[..<(bytes.count - 32)]
        guard BLAKE3.hash(Array(body)).elementsEqual(bytes[(bytes.count - 32)...]) else {
            throw StorageError(.corrupt, "checksum mismatch")
        }
        var reader = ByteReader(bytes: body, offset: self.magic.count)
        guard try reader.read(2) == UInt64(self.version) else { throw StorageError(.corrupt, "unknown entry version") }
        let compression = try reader.read(1)
        let exitStatus = Int32(bitPattern: UInt32(try reader.read(4)))
        let memberCount = try reader.read(4)
        guard memberCount < 256 else { throw StorageError(.corrupt, "too many members") }
        var layout: [(role: UInt8, mode: UInt32, size: UInt64)] = []
        for _ in 0..<memberCount {
            layout.append((UInt8(try reader.read(1)), UInt32(try reader.read(4)), try reader.read(8)))
        }
        let stdoutSize = try reader.read(8)
        let stderrSize = try reader.read(8)
        let payloadSize = try reader.read(8)
        let storedSize = try reader.read(8)
        guard payloadSize <= self.maximumPayload, storedSize == UInt64(body.count - reader.offset) else {
            throw StorageError(.corrupt, "bad payload size")
        }
        let total = layout.reduce(stdoutSize + stderrSize) { $0 &+ $1.size }
        guard total == payloadSize else { throw StorageError(.corrupt, "member sizes do not add up") }
        let stored = Array(body[reader.offset...])
        let payload: [UInt8]
        switch compression {
        case 0:
            payload = stored
        case 1:
            guard let output = ZstdContexts.decompress(stored, size: Int(payloadSize)) else {
                throw StorageError(.corrupt, "zstd payload does not decompress")
            }
            payload = output
        default:
            throw StorageError(.corrupt, "unknown compression \(compression)")
        }
        var offset = 0
        func slice(_ size: UInt64) -> [UInt8] {
            defer { offset += Int(size) }
            return Array(payload[offset..<(offset + Int(size))])
        }
        let standardOutput = slice(stdoutSize)
        let standardError = slice(stderrSize)
        let members = layout.map { CacheEntry.Member(role: $0.role, mode: $0.mode, bytes: slice($0.size)) }
        return CacheEntry(
            members: members,
            standardOutput: standardOutput,
            standardError: standardError,
            exitStatus: exitStatus
        )
    }
}

private func append(_ out: inout [UInt8], _ value: UInt64, bytes: Int) {
    for index in stride(from: bytes - 1, through: 0, by: -1) {
        out.append(UInt8(truncatingIfNeeded: value >> UInt64(index * 8)))
    }
}

private struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var offset: Int

    mutating func read(_ count: Int) throws(StorageError) -> UInt64 {
        let start = self.bytes.startIndex + self.offset
        guard self.bytes.endIndex - start >= count else { throw StorageError(.corrupt, "entry truncated") }
        var value: UInt64 = 0
        for byte in self.bytes[start..<(start + count)] { value = value << 8 | UInt64(byte) }
        self.offset += count
        return value
    }
}
