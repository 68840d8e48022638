import Glibc

/// Exclusive `flock` locks on files that their last holder removes as it lets go, so that lock files do not pile
/// up beside the daemons' sockets (two per cache directory ever used).
///
/// A process may open the file just before the holder removes it, then get the lock on the removed file; so a lock
/// counts only if the path still names the locked file once it is taken, and otherwise it is taken again on the
/// file now there.
public enum LockFile {
    /// Takes the lock at `path` (creating the file, mode 0600) if nobody holds it.
    ///
    /// - Parameter path: the lock file.
    /// - Returns: the descriptor holding the lock (close it to let go), or `nil` if another process holds it.
    /// - Throws: ``SystemError`` if the file cannot be opened.
    public static func tryLock(_ path: String) throws(SystemError) -> Int32? {
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw SystemError("open \(path)") }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                return nil
            }
            var held = stat()
            var named = stat()
            if fstat(descriptor, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino,
                held.st_dev == named.st_dev
            {
                return descriptor
            }
            // Removed (and perhaps created again) by the last holder while this one waited: try the file there now.
            close(descriptor)
        }
    }

    /// Takes the lock at `path`, waiting for its holder to let go until `deadline` (``MonotonicClock``).
    ///
    /// - Parameters:
    ///   - path: the lock file.
    ///   - deadline: when to give up.
    /// - Returns: the descriptor holding the lock, or `nil` once the deadline has passed.
    /// - Throws: ``SystemError`` if the file cannot be opened.
    public static func lock(_ path: String, until deadline: UInt64) throws(SystemError) -> Int32? {
        while true {
            if let held = try Self.tryLock(path) { return held }
            guard MonotonicClock.now() < deadline else { return nil }
            usleep(250)
        }
    }

    /// Removes the lock file and lets go of the lock held through `descriptor` (from ``tryLock(_:)``).
    public static func remove(_ path: String, holding descriptor: Int32) {
        unlink(path)
        close(descriptor)
    }
}
