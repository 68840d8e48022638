/// A compiler's identity as the daemon keeps it on disk, so a client reads it from one small file instead of asking
/// the daemon: a round trip less on every compile.
///
/// One file per compiler (by real path) under `compilers/` in the cache directory, written by the daemon when a
/// client reports a new identity, and valid while the compiler's stamp is unchanged; anything else (a missing,
/// stale, foreign or damaged file) sends the client to the daemon as before.
public enum CompilerIdentityFile {
    /// The file for the compiler at `compilerPath` (its real path) in `cacheDirectory`.
    public static func path(for compilerPath: String, cacheDirectory: String) -> String {
        let name = Hex.encode(BLAKE3.hash(Array(compilerPath.utf8)).prefix(16))
        return Path.join(Path.join(cacheDirectory, "compilers"), name)
    }

    /// The file's bytes: `"HOARDCID"`, the stamp (size, modification and status change times, inode, device; u64
    /// each, little endian), the identity's length (u16) and bytes, then the compiler's path.
    public static func encode(compilerPath: String, stamp: FileStamp, identity: [UInt8]) -> [UInt8] {
        var bytes = Array(Self.magic.utf8)
        for field in stamp.fields { withUnsafeBytes(of: field.littleEndian) { bytes += $0 } }
        withUnsafeBytes(of: UInt16(identity.count).littleEndian) { bytes += $0 }
        return bytes + identity + Array(compilerPath.utf8)
    }

    /// The identity in `bytes` if they were written for this compiler path and stamp, else `nil`.
    public static func identity(in bytes: [UInt8], compilerPath: String, stamp: FileStamp) -> [UInt8]? {
        let header = Self.magic.utf8.count
        let identityStart = header + 5 * 8 + 2
        guard bytes.count >= identityStart, bytes.starts(with: Self.magic.utf8) else { return nil }
        for (index, field) in stamp.fields.enumerated() {
            let offset = header + index * 8
            let stored = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
            guard stored == field else { return nil }
        }
        let count = Int(bytes[identityStart - 2]) | Int(bytes[identityStart - 1]) << 8
        guard bytes.count >= identityStart + count,
            bytes[(identityStart + count)...].elementsEqual(compilerPath.utf8)
        else { return nil }
        return Array(bytes[identityStart..<(identityStart + count)])
    }

    private static let magic = "HOARDCID"
}
