import Glibc
import Synchronization

/// Threads that serve connections, kept after their connection ends so the next one starts without a
/// `pthread_create`.
///
/// Connections block on reads, so each needs a thread of its own while it lasts; the pool grows to the number of
/// concurrent connections and keeps at most ``maximumIdle`` threads waiting.
final class WorkerPool: Sendable {
    /// One thread and the hand-off slot for its next job.
    ///
    /// `@unchecked Sendable`: `job` is written only by the thread that hands over work, before it posts `ready`,
    /// and read only by the worker after `sem_wait` on `ready` returns, so the semaphore orders them.
    private final class Worker: @unchecked Sendable {
        let ready: UnsafeMutablePointer<sem_t>
        var job: (@Sendable () -> Void)?

        init() {
            self.ready = .allocate(capacity: 1)
            sem_init(self.ready, 0, 0)
        }

        deinit {
            sem_destroy(self.ready)
            self.ready.deallocate()
        }
    }

    private let idle = Mutex<[Worker]>([])
    private let maximumIdle = 16

    /// Runs `job` on an idle thread, or on a new one.
    ///
    /// - Parameter job: the work, typically serving one connection.
    /// - Returns: `false` if no thread could be started.
    func run(_ job: @escaping @Sendable () -> Void) -> Bool {
        if let worker = self.idle.withLock({ $0.popLast() }) {
            worker.job = job
            sem_post(worker.ready)
            return true
        }
        let worker = Worker()
        worker.job = job
        return startDetachedThread { [self] in self.loop(worker) }
    }

    private func loop(_ worker: Worker) {
        while let job = worker.job {
            worker.job = nil
            job()
            let parked = self.idle.withLock { idle -> Bool in
                guard idle.count < self.maximumIdle else { return false }
                idle.append(worker)
                return true
            }
            guard parked else { return }
            while sem_wait(worker.ready) != 0 && errno == EINTR {}
        }
    }
}
