import Glibc
import HoardCore
import Synchronization

/// Digests of input files, valid while their stamp (status change time included: it cannot be set back) is
/// unchanged: unchanged headers are never hashed twice.
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
        // File times come from a coarse clock: a file changed again in the tick it was hashed in may keep its stamp
        // (same size and times), so a digest is kept only once the file last changed more than a second before.
        guard after.isSettled else { return record }
        self.records.withLock { records in
            if records.count >= Self.capacity { records.removeAll(keepingCapacity: true) }
            records[path] = record
        }
        return record
    }

    /// Whether a digest of `path` is kept (for tests).
    func isKept(_ path: String) -> Bool {
        self.records.withLock { $0[path] } != nil
    }
}
