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
