import HoardCore

/// The lock of the one client that works an answer out while the others wait for it.
///
/// At the start of a parallel build every job would otherwise ask the compiler for its identity and include search
/// list at once (``DaemonLocation/answerLockPath(for:)``). A holder that dies lets go with its process.
struct AnswerLock {
    /// What ``take(_:)`` found.
    enum Taking {
        /// Nobody held it: it is ours.
        case held(AnswerLock)
        /// Another client holds it.
        case busy
        /// The lock file cannot be opened: work alone.
        case unavailable
    }

    let path: String
    let descriptor: Int32

    /// Takes the lock at `path` if nobody holds it.
    static func take(_ path: String) -> Taking {
        do {
            guard let descriptor = try LockFile.tryLock(path) else { return .busy }
            return .held(AnswerLock(path: path, descriptor: descriptor))
        } catch {
            return .unavailable
        }
    }

    /// Waits for the holder to let go (at most five seconds), then holds the lock; `nil` if that failed.
    static func wait(_ path: String) -> AnswerLock? {
        let deadline = MonotonicClock.now() + 5_000_000_000
        guard let descriptor = try? LockFile.lock(path, until: deadline) else { return nil }
        return AnswerLock(path: path, descriptor: descriptor)
    }

    /// Lets go, removing the file.
    func release() {
        LockFile.remove(self.path, holding: self.descriptor)
    }
}
