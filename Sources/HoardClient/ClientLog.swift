import Glibc
import HoardCore

/// The client's side of `HOARD_LOG`: one line per decision, appended; nothing when unset.
struct ClientLog {
    let path: String?

    func write(_ message: @autoclosure () -> String) {
        guard let path else { return }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let line = "hoard[\(getpid())] \(message())\n"
        try? FileSystem.writeAll(Array(line.utf8), to: descriptor)
    }
}
