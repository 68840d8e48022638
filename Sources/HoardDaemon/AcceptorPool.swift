import Glibc
import HoardCore
import Synchronization

/// Threads that accept connections on the daemon's socket and serve them, each its own connection.
///
/// A connection is served by the thread that accepted it, so a request wakes one thread, not an accept loop and
/// then a worker. One thread always waits in `accept`: the thread that takes the last waiting place starts another
/// before it serves. Connections block on reads, so the pool grows to the number of concurrent connections; after
/// a connection a thread waits again, or ends if ``maximumIdle`` threads already wait.
final class AcceptorPool: Sendable {
    private let listener: Int32
    private let serve: @Sendable (Int32) -> Void
    private let stopping: @Sendable () -> Bool
    /// Threads in `accept`, or about to call it.
    private let waiting = Atomic<Int>(0)
    /// Threads alive, waiting or serving.
    private let threads = Atomic<Int>(0)
    private let maximumIdle = 16

    /// Starts the first thread.
    ///
    /// - Parameters:
    ///   - listener: the listening socket; it gets a 250 ms receive timeout, so waiting threads see `stopping`.
    ///   - serve: serves one accepted connection and closes it.
    ///   - stopping: tells the threads to end once no connection is pending.
    ///
    /// Fails if no thread could be started.
    init?(
        listener: Int32,
        serve: @escaping @Sendable (Int32) -> Void,
        stopping: @escaping @Sendable () -> Bool
    ) {
        self.listener = listener
        self.serve = serve
        self.stopping = stopping
        var timeout = timeval(tv_sec: 0, tv_usec: 250_000)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard self.startThread() else { return nil }
    }

    /// Waits until every thread has ended (they end once `stopping` is true and their connection is served).
    ///
    /// - Parameter deadline: the monotonic time to give up at.
    func waitForThreads(until deadline: UInt64) {
        while self.threads.load(ordering: .sequentiallyConsistent) > 0 && MonotonicClock.now() < deadline {
            usleep(10_000)
        }
    }

    private func startThread() -> Bool {
        self.threads.add(1, ordering: .sequentiallyConsistent)
        self.waiting.add(1, ordering: .sequentiallyConsistent)
        guard startDetachedThread({ [self] in self.loop() }) else {
            self.waiting.subtract(1, ordering: .sequentiallyConsistent)
            self.threads.subtract(1, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    private func loop() {
        defer { self.threads.subtract(1, ordering: .sequentiallyConsistent) }
        while !self.stopping() {
            let connection = accept(self.listener, nil, nil)
            guard connection >= 0 else {
                if errno == EAGAIN || errno == EINTR || errno == ECONNABORTED { continue }
                // Out of descriptors or memory: wait for some to be released rather than spin.
                usleep(10_000)
                continue
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            if self.waiting.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 {
                // If no thread can be started, this one accepts again once its connection ends.
                _ = self.startThread()
            }
            self.serve(connection)
            if self.waiting.load(ordering: .sequentiallyConsistent) >= self.maximumIdle { return }
            self.waiting.add(1, ordering: .sequentiallyConsistent)
        }
        self.waiting.subtract(1, ordering: .sequentiallyConsistent)
    }
}
