import Glibc
import HoardCore
import Synchronization

/// What a lookup knows of absent paths without a `stat` each: directories whose absent names (one group of a
/// manifest entry) were all found absent, and missing directories, each with the directory that proves it missing.
///
/// Creating, removing or renaming a name in a directory changes its modification and status change times, so while
/// a directory's stamp is unchanged its absent names are still absent and need no `stat` each: a C++ manifest can
/// list thousands. A missing directory is proved by its nearest existing ancestor: while that one is unchanged, the
/// next name below it is still missing, and with it everything under that name (most groups of a C manifest are
/// such directories, `bits/` or `sys/` under each earlier search directory). File times are taken from a coarse
/// clock, so a change within the same tick as an earlier one may leave the times as they were: a stamp is
/// remembered only if the directory last changed more than a second before the check.
final class AbsenceMemo: Sendable {
    private let stamps: Mutex<[String: FileStamp]> = Mutex([:])
    private let missing: Mutex<[String: Proof]> = Mutex([:])
    private static let capacity = 100_000

    /// A missing directory's nearest existing ancestor, and its stamp when the directory was found missing.
    private struct Proof: Sendable {
        var ancestor: String
        var stamp: FileStamp
    }

    /// Tells whether the paths under `key` were found absent while the directory had this stamp.
    func stillAbsent(_ key: String, stamp: FileStamp) -> Bool {
        guard let known = self.stamps.withLock({ $0[key] }) else { return false }
        return stamp == known
    }

    /// Remembers that the paths under `key` are absent, if the directory's stamp is old enough to trust.
    func recordAbsent(_ key: String, stamp: FileStamp) {
        guard stamp.isSettled else { return }
        self.stamps.withLock { stamps in
            if stamps.count >= Self.capacity { stamps.removeAll(keepingCapacity: true) }
            stamps[key] = stamp
        }
    }

    /// Tells whether `directory` (an absolute path) was found missing and its proving ancestor is unchanged.
    func stillMissing(_ directory: String, statuses: inout DirectoryStatuses) -> Bool {
        guard let proof = self.missing.withLock({ $0[directory] }),
            case .exists(let stamp, isDirectory: true) = statuses.status(of: proof.ancestor)
        else {
            return false
        }
        return stamp == proof.stamp
    }

    /// Tells whether `directory` (an absolute path) is missing: from its proof while that holds, else from `stat`,
    /// remembering the proof.
    func isMissing(_ directory: String, statuses: inout DirectoryStatuses) -> Bool {
        if self.stillMissing(directory, statuses: &statuses) { return true }
        guard case .missing = statuses.status(of: directory) else { return false }
        self.recordMissing(directory, statuses: &statuses)
        return true
    }

    /// Remembers why `directory` (an absolute path, just found missing) is missing: the nearest ancestor that exists,
    /// if it is a directory old enough to trust and the name below it is missing, not a dangling symbolic link.
    func recordMissing(_ directory: String, statuses: inout DirectoryStatuses) {
        var child = directory
        while true {
            let parent = Path.directory(of: child)
            guard parent != child, parent.hasPrefix("/") else { return }
            switch statuses.status(of: parent) {
            case .missing:
                child = parent
            case .exists(let stamp, isDirectory: true):
                var status = stat()
                guard stamp.isSettled, lstat(child, &status) != 0, errno == ENOENT else { return }
                self.missing.withLock { proofs in
                    if proofs.count >= Self.capacity { proofs.removeAll(keepingCapacity: true) }
                    proofs[directory] = Proof(ancestor: parent, stamp: stamp)
                }
                return
            case .exists, .failed:
                return
            }
        }
    }
}

/// The `stat` of each directory one lookup asks about, taken once.
struct DirectoryStatuses {
    /// What `stat` said of a path.
    enum Status {
        case exists(FileStamp, isDirectory: Bool)
        /// `ENOENT` or `ENOTDIR`: nothing is there.
        case missing
        /// Any other error.
        case failed
    }

    private var known: [String: Status] = [:]

    /// The status of `path`, from `stat` the first time it is asked about.
    mutating func status(of path: String) -> Status {
        if let status = self.known[path] { return status }
        var buffer = stat()
        let status: Status
        if stat(path, &buffer) == 0 {
            status = .exists(FileStamp(buffer), isDirectory: buffer.st_mode & S_IFMT == S_IFDIR)
        } else {
            status = errno == ENOENT || errno == ENOTDIR ? .missing : .failed
        }
        self.known[path] = status
        return status
    }

    /// The stamp of what is at `path`, if `stat` found something there.
    mutating func stamp(of path: String) -> FileStamp? {
        if case .exists(let stamp, _) = self.status(of: path) { return stamp }
        return nil
    }
}

extension FileStamp {
    /// Whether the file last changed more than a second ago, long enough for its times to tell a later change:
    /// they come from a coarse clock, so a change in the same tick as the last may leave them as they were.
    var isSettled: Bool {
        !self.changed(since: WallClock.now() - 1_000_000_000)
    }
}
