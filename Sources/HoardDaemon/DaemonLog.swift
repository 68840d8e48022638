import Glibc
import HoardCore
import Synchronization

/// Appends timestamped lines to the log file named by `HOARD_LOG`; silent when there is none.
final class DaemonLog: Sendable {
    private let descriptor: Mutex<Int32>

    init(path: String?) {
        var descriptor: Int32 = -1
        if let path {
            descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        }
        self.descriptor = Mutex(descriptor)
    }

    func write(_ message: String) {
        self.descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let line = "\(now.tv_sec).\(String(now.tv_nsec / 1_000_000)) hoardd[\(getpid())] \(message)\n"
            try? FileSystem.writeAll(Array(line.utf8), to: descriptor)
        }
    }
}
