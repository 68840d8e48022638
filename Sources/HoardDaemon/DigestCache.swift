import Glibc
import HoardCore
import Synchronization

/// Digests of input files, valid while their stamp is unchanged: unchanged headers are never hashed twice.
///
/// Thread-safe. A file is read and hashed outside the lock; two threads may hash the same new file once each.
final class DigestCache: Sendable {
    /// What the cache knows about one file.
    struct Record: Sendable, Equatable {
        var stamp: FileStamp
        var digest: [UInt8]
        var findings: SourceFindings
        var queries: HasIncludeQueries
    }

    private let records: Mutex<[String: Record]> = Mutex([:])
    private static let capacity = 200_000

    /// Returns the digest of the regular file at an absolute path, hashing it only if its stamp changed.
    ///
    /// - Parameter path: an absolute path.
    /// - Returns: the record, or `nil` if the file is missing, unreadable or not regular.
    func record(for path: String) -> Record? {
        guard let stamp = FileSystem.stamp(of: path) else { return nil }
        if let cached = self.records.withLock({ $0[path] }), cached.stamp == stamp { return cached }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard let before = FileSystem.stamp(ofDescriptor: descriptor),
            let bytes = try? FileSystem.readAll(descriptor, path: path),
            let after = FileSystem.stamp(ofDescriptor: descriptor), before == after
        else {
            return nil
        }
        let record = Record(
            stamp: after,
            digest: BLAKE3.hash(bytes),
            findings: SourceFindings.scan(bytes),
            queries: HasIncludeQueries(bytes)
        )
        self.records.withLock { records in
            if records.count >= Self.capacity { records.removeAll(keepingCapacity: true) }
            records[path] = record
        }
        return record
    }
}

/// Directories whose absent paths (one group of a manifest entry) were all found absent, with the directory's stamp
/// then.
///
/// Creating, removing or renaming a name in a directory changes its modification and status change times, so while
/// the stamp is unchanged the paths are still absent and need no `stat` each: a C++ manifest can list thousands.
/// File times are taken from a coarse clock, so a change within the same tick as an earlier one may leave the
/// time as it was: a stamp is remembered only if the directory last changed more than a second before the check.
final class AbsenceMemo: Sendable {
    private let stamps: Mutex<[String: FileStamp]> = Mutex([:])
    private static let capacity = 100_000

    /// Tells whether the paths under `key` were found absent while the directory had this stamp.
    func stillAbsent(_ key: String, stamp: FileStamp) -> Bool {
        self.stamps.withLock { $0[key] } == stamp
    }

    /// Remembers that the paths under `key` are absent, if the directory's stamp is old enough to trust.
    func recordAbsent(_ key: String, stamp: FileStamp) {
        let trusted = WallClock.now() - 1_000_000_000
        guard !stamp.changed(since: trusted) else { return }
        self.stamps.withLock { stamps in
            if stamps.count >= Self.capacity { stamps.removeAll(keepingCapacity: true) }
            stamps[key] = stamp
        }
    }
}
