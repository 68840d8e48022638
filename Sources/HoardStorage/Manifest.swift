public import HoardCore
import Synchronization

/// Direct mode's record for one source and command line: which include files, with which contents, led to which
/// result key (docs/direct-mode.md).
public struct Manifest: Equatable, Sendable {
    /// One include file as the preprocessor spelled it, and the BLAKE3 digest of its content.
    public struct Include: Equatable, Sendable {
        /// The path as spelled (relative paths are relative to the compile's working directory).
        public var path: String
        /// The content's digest.
        public var digest: [UInt8]

        /// Creates an include.
        public init(path: String, digest: [UInt8]) {
            self.path = path
            self.digest = digest
        }
    }

    /// Absent paths that share everything up to their last slash, or, with no names, a directory that must not
    /// exist (it held no candidate when recorded because it was missing: most of a C manifest's groups are such,
    /// `bits/` or `sys/` under each earlier search directory, and their names need not be kept).
    public struct AbsentGroup: Equatable, Sendable {
        /// What every path in the group starts with: a directory as recorded and a slash, or `""` for paths relative
        /// to the compile's working directory with no slash in them.
        public let prefix: String
        /// The rest of each path (no slash); none when the directory itself must stay missing.
        public let names: [String]
        /// The directory holding the paths, as recorded (`"."` for the working directory): every lookup asks.
        public let directory: String
        /// The digest, once a lookup asked for it: stores never need it, and a manifest kept in memory is looked
        /// up many times.
        private let memo = DigestMemo()

        /// Creates a group of the paths `prefix + name`.
        public init(prefix: String, names: [String]) {
            self.prefix = prefix
            self.names = names
            let bytes = prefix.utf8
            self.directory =
                bytes.isEmpty ? "." : bytes.count == 1 ? prefix : String(decoding: bytes.dropLast(), as: UTF8.self)
        }

        /// The paths, whole.
        public var paths: [String] { self.names.map { self.prefix + $0 } }

        /// Whether the group stands for its directory, which must stay missing.
        public var isMissingDirectory: Bool { self.names.isEmpty }

        /// A digest of the paths, naming the group in memos.
        public var digest: String {
            if let known = self.memo.value.withLock({ $0 }) { return known }
            var bytes = Array(self.prefix.utf8)
            bytes.reserveCapacity(self.names.reduce(bytes.count + 1) { $0 + $1.utf8.count + 1 })
            bytes.append(0)
            for name in self.names {
                bytes += name.utf8
                bytes.append(0)
            }
            let digest = Hex.encode(BLAKE3.hash(bytes))
            self.memo.value.withLock { $0 = digest }
            return digest
        }

        public static func == (left: AbsentGroup, right: AbsentGroup) -> Bool {
            left.prefix == right.prefix && left.names == right.names
        }

        /// Groups `paths` by what comes before each one's last slash, in order of first appearance.
        public static func groups(of paths: [String]) -> [AbsentGroup] {
            var prefixes: [String] = []
            var names: [[String]] = []
            var index: [String: Int] = [:]
            for path in paths {
                let utf8 = path.utf8
                let split = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
                let prefix = String(path[..<split])
                let name = String(path[split...])
                if let position = index[prefix] {
                    names[position].append(name)
                } else {
                    index[prefix] = prefixes.count
                    prefixes.append(prefix)
                    names.append([name])
                }
            }
            return zip(prefixes, names).map { AbsentGroup(prefix: $0, names: $1) }
        }
    }

    /// Holds a group's digest once computed.
    private final class DigestMemo: Sendable {
        let value = Mutex<String?>(nil)
    }

    /// One way the compile went: its includes, the paths that must still not exist, and the result key.
    public struct Entry: Equatable, Sendable {
        /// Every include file with its digest.
        public var includes: [Include]
        /// Paths that did not exist and would shadow an include if created, by directory.
        public var absentGroups: [AbsentGroup]
        /// The key of the result.
        public var resultKey: CacheKey
        /// The only working directory the entry is valid in, or empty when any is fine.
        public var pinnedDirectory: String

        /// Creates an entry.
        public init(
            includes: [Include],
            absentGroups: [AbsentGroup],
            resultKey: CacheKey,
            pinnedDirectory: String = ""
        ) {
            self.includes = includes
            self.absentGroups = absentGroups
            self.resultKey = resultKey
            self.pinnedDirectory = pinnedDirectory
        }

        /// Creates an entry from absent paths one by one.
        public init(includes: [Include], absentPaths: [String], resultKey: CacheKey, pinnedDirectory: String = "") {
            self.init(
                includes: includes,
                absentGroups: AbsentGroup.groups(of: absentPaths),
                resultKey: resultKey,
                pinnedDirectory: pinnedDirectory
            )
        }

        /// The absent paths, whole.
        public var absentPaths: [String] { self.absentGroups.flatMap(\.paths) }
    }

    /// The entries, newest first.
    public var entries: [Entry]

    /// The most entries kept; older ones are dropped.
    public static let maximumEntries = 16

    /// Creates a manifest.
    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Adds `entry` as the newest, replacing an identical one and dropping the oldest beyond the limit.
    public mutating func add(_ entry: Entry) {
        self.entries.removeAll { $0 == entry }
        self.entries.insert(entry, at: 0)
        if self.entries.count > Self.maximumEntries {
            self.entries.removeLast(self.entries.count - Self.maximumEntries)
        }
    }

    /// Encodes the manifest: `"HOARDMAN"`, version (u16), entry count (u32); per entry the result key (32 bytes),
    /// include count (u32) and per include path length (u32), path, digest (32 bytes); absent group count (u32) and
    /// per group its prefix, name count (u32) and names (none: the directory must not exist), each string as length
    /// (u32) and bytes; the pinned directory;
    /// then a BLAKE3 of everything before.
    public func encode() -> [UInt8] {
        var out = Array("HOARDMAN".utf8)
        appendInteger(&out, UInt64(Self.version), bytes: 2)
        appendInteger(&out, UInt64(self.entries.count), bytes: 4)
        for entry in self.entries {
            out += Hex.decode(entry.resultKey.hex) ?? []
            appendInteger(&out, UInt64(entry.includes.count), bytes: 4)
            for include in entry.includes {
                appendString(&out, include.path)
                out += include.digest
            }
            appendInteger(&out, UInt64(entry.absentGroups.count), bytes: 4)
            for group in entry.absentGroups {
                appendString(&out, group.prefix)
                appendInteger(&out, UInt64(group.names.count), bytes: 4)
                for name in group.names { appendString(&out, name) }
            }
            appendString(&out, entry.pinnedDirectory)
        }
        out += BLAKE3.hash(out)
        return out
    }

    /// The version ``encode()`` writes.
    ///
    /// Version 1 listed the absent paths one by one and version 2 had no groups without names (a missing directory).
    /// Both were written by daemons that did not count search directories the compiler ignored as missing, so their
    /// entries may lack the places a header created there would shadow: they are read as no entries (a miss, and the
    /// next store writes version 3). A daemon that reads version 2 only counts version 3 as corrupt: it would take a
    /// missing directory's group for no absent paths at all.
    static let version = 3

    /// Decodes a manifest, verifying its checksum.
    ///
    /// - Parameter bytes: the stored bytes.
    /// - Returns: the manifest.
    /// - Throws: ``StorageError`` with code `corrupt` on any inconsistency.
    public static func decode(_ bytes: [UInt8]) throws(StorageError) -> Manifest {
        guard bytes.count >= 8 + 6 + 32, bytes.starts(with: Array("HOARDMAN".utf8)) else {
            throw StorageError(.corrupt, "not a Hoard manifest")
        }
        let body = Array(bytes[..<(bytes.count - 32)])
        guard BLAKE3.hash(body).elementsEqual(bytes[(bytes.count - 32)...]) else {
            throw StorageError(.corrupt, "manifest checksum mismatch")
        }
        var reader = ManifestReader(bytes: body, offset: 8)
        let version = try reader.integer(2)
        if version == 1 || version == 2 { return Manifest() }
        guard version == UInt64(Self.version) else { throw StorageError(.corrupt, "unknown manifest version") }
        var entries: [Entry] = []
        for _ in 0..<(try reader.count()) {
            let key = CacheKey(digest: try reader.bytes(32))
            var includes: [Include] = []
            for _ in 0..<(try reader.count()) {
                includes.append(Include(path: try reader.string(), digest: try reader.bytes(32)))
            }
            var groups: [AbsentGroup] = []
            for _ in 0..<(try reader.count()) {
                let prefix = try reader.string()
                var names: [String] = []
                for _ in 0..<(try reader.count()) { names.append(try reader.string()) }
                groups.append(AbsentGroup(prefix: prefix, names: names))
            }
            let pinned = try reader.string()
            entries.append(Entry(includes: includes, absentGroups: groups, resultKey: key, pinnedDirectory: pinned))
        }
        guard reader.offset == body.count else { throw StorageError(.corrupt, "trailing bytes in manifest") }
        return Manifest(entries: entries)
    }
}

private func appendInteger(_ out: inout [UInt8], _ value: UInt64, bytes: Int) {
    for index in stride(from: bytes - 1, through: 0, by: -1) {
        out.append(UInt8(truncatingIfNeeded: value >> UInt64(index * 8)))
    }
}

private func appendString(_ out: inout [UInt8], _ string: String) {
    appendInteger(&out, UInt64(string.utf8.count), bytes: 4)
    // A native string's bytes are copied at once; the generic append walks them one by one.
    if string.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil { out += string.utf8 }
}

private struct ManifestReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func bytes(_ count: Int) throws(StorageError) -> [UInt8] {
        guard count >= 0, self.bytes.count - self.offset >= count else {
            throw StorageError(.corrupt, "manifest truncated")
        }
        defer { self.offset += count }
        return Array(self.bytes[self.offset..<(self.offset + count)])
    }

    mutating func integer(_ count: Int) throws(StorageError) -> UInt64 {
        try self.bytes(count).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func count() throws(StorageError) -> Int {
        let value = Int(try self.integer(4))
        guard value <= self.bytes.count - self.offset else { throw StorageError(.corrupt, "manifest count too large") }
        return value
    }

    mutating func string() throws(StorageError) -> String {
        let length = try self.count()
        return String(decoding: try self.bytes(length), as: UTF8.self)
    }
}
