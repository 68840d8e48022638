import Glibc
import HoardCore
import Synchronization

/// The names in directories, each read once and kept while the directory is unchanged: recording a depend-mode
/// manifest checks every include's name in every directory searched before the one that held it (over a thousand
/// names per compile, mostly in the same few system directories).
///
/// Creating, removing or renaming a name in a directory changes its modification and status change times, so a
/// listing stays true while the directory's stamp is unchanged. File times come from a coarse clock, so, as in
/// ``AbsenceMemo``, a listing is kept only if the directory last changed more than a second before it was read; a
/// newer one serves the request at hand only, and is not read at all when it is much larger than the number of
/// names asked about (a `stat` per name costs less).
final class DirectoryListings: Sendable {
    private let listings: Mutex<[String: Listing]> = Mutex([:])
    private static let capacity = 4096

    private struct Listing: Sendable {
        var stamp: FileStamp
        /// The names' folded hashes (``DirectoryNames``); `nil` when each name is settled with `stat`.
        var hashes: Set<UInt64>?
    }

    /// The names in `directory` (an absolute path), to answer about `count` names.
    func names(in directory: String, asking count: Int, statuses: inout DirectoryStatuses) -> DirectoryNames {
        let stamp: FileStamp
        switch statuses.status(of: directory) {
        case .exists(let found, isDirectory: _): stamp = found
        case .missing: return DirectoryNames(directory: directory, hashes: nil, missing: true)
        case .failed: return DirectoryNames(directory: directory, hashes: nil, missing: false)
        }
        if let listing = self.listings.withLock({ $0[directory] }), stamp == listing.stamp {
            return DirectoryNames(directory: directory, hashes: listing.hashes, missing: false)
        }
        let kept = stamp.isSettled
        // A negative `stat` costs about as much as reading three entries; an entry takes some 24 bytes of a
        // directory's size on ext4, tmpfs, btrfs and XFS alike (a guess either way costs time, never correctness).
        if !kept && count * 3 < Int(stamp.size) / 24 {
            return DirectoryNames(directory: directory, hashes: nil, missing: false)
        }
        var hashes: Set<UInt64>? = []
        let complete = FileSystem.forEachEntry(inDirectory: directory) { name in
            if let hash = DirectoryNames.foldedHash(name) { hashes?.insert(hash) } else { hashes = nil }
        }
        guard complete else { return DirectoryNames(directory: directory, hashes: nil, missing: false) }
        if kept {
            self.listings.withLock { listings in
                if listings.count >= Self.capacity { listings.removeAll(keepingCapacity: true) }
                listings[directory] = Listing(stamp: stamp, hashes: hashes)
            }
        }
        return DirectoryNames(directory: directory, hashes: hashes, missing: false)
    }
}

/// Which names a directory certainly lacks, from a listing rather than a `stat` per name.
///
/// The names are kept as hashes of their bytes with ASCII letters lowercased. A name whose hash is present (it
/// exists, in this case or another, or the hashes collide), or that is not ASCII, is settled with `stat`, and so is
/// every name of a directory holding a name that is not ASCII (case-insensitive file systems fold more than ASCII).
struct DirectoryNames {
    /// The directory, absolute.
    let directory: String
    /// The folded names' hashes; `nil` when each name is settled with `stat`.
    let hashes: Set<UInt64>?
    /// The directory does not exist: every name is absent.
    let missing: Bool

    /// Tells whether nothing exists at `name` in the directory.
    ///
    /// - Parameters:
    ///   - name: a name in the directory.
    ///   - strictly: count only a missing name as absent, not a `stat` that fails otherwise (no permission).
    /// - Returns: `true` if nothing is there.
    func isAbsent(_ name: String, strictly: Bool = false) -> Bool {
        if self.missing { return true }
        if let hashes = self.hashes, let hash = Self.foldedHash(name.utf8), !hashes.contains(hash) { return true }
        var status = stat()
        guard stat(Path.join(self.directory, name), &status) != 0 else { return false }
        return !strictly || errno == ENOENT || errno == ENOTDIR
    }

    /// The stamp of the entry at `name` itself (a symbolic link is not followed), or `nil` if there is none.
    func entryStamp(_ name: String) -> FileStamp? {
        var status = stat()
        return lstat(Path.join(self.directory, name), &status) == 0 ? FileStamp(status) : nil
    }

    /// FNV-1a of the bytes with ASCII letters lowercased, or `nil` for a name that is not ASCII.
    static func foldedHash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            guard byte < 128 else { return nil }
            hash = (hash ^ UInt64(byte >= 65 && byte <= 90 ? byte + 32 : byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}
