import Glibc

private final class ThreadBody {
    let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }
}

/// Starts a detached POSIX thread running `body`.
///
/// The daemon gives each connection its own thread: connections block on reads, and a thread pool sized to the
/// cores would let fifty slow clients starve the rest.
///
/// - Parameter body: the work; it must not throw.
/// - Returns: `false` if the thread could not be created.
@discardableResult
func startDetachedThread(_ body: @escaping @Sendable () -> Void) -> Bool {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
        &thread,
        nil,
        { raw in
            guard let raw else { return nil }
            let body = Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue()
            body.body()
            return nil
        },
        context
    )
    guard status == 0 else {
        Unmanaged<ThreadBody>.fromOpaque(context).release()
        return false
    }
    pthread_detach(thread)
    return true
}

/// A POSIX counting semaphore, for a worker thread that waits for queued work.
///
/// `@unchecked Sendable`: a POSIX semaphore is thread-safe by design, and its storage never moves.
final class Semaphore: @unchecked Sendable {
    private let semaphore: UnsafeMutablePointer<sem_t>

    /// Creates a semaphore with a count of zero.
    init() {
        self.semaphore = .allocate(capacity: 1)
        sem_init(self.semaphore, 0, 0)
    }

    deinit {
        sem_destroy(self.semaphore)
        self.semaphore.deallocate()
    }

    /// Adds one to the count, waking a waiter.
    func signal() {
        sem_post(self.semaphore)
    }

    /// Waits until the count is above zero, then takes one from it.
    func wait() {
        while sem_wait(self.semaphore) != 0 && errno == EINTR {}
    }
}
