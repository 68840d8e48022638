import Glibc

/// Counts the client could not send because the daemon was unreachable.
///
/// They are kept in `<cache dir>/pending-stats` until the next daemon reads them: one decimal statistic id per
/// line; appends are atomic for such short lines.
public enum PendingStatistics {
    /// Appends one count.
    ///
    /// - Parameters:
    ///   - statistic: the counter.
    ///   - cacheDirectory: the cache directory.
    public static func append(_ statistic: Statistic, cacheDirectory: String) {
        try? FileSystem.createDirectories(cacheDirectory, mode: 0o700)
        let descriptor = open(cacheDirectory + "/pending-stats", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        try? FileSystem.writeAll(Array("\(statistic.rawValue)\n".utf8), to: descriptor)
    }

    /// Takes every pending count, removing the file.
    ///
    /// - Parameter cacheDirectory: the cache directory.
    /// - Returns: the counts by statistic.
    public static func drain(cacheDirectory: String) -> [Statistic: UInt64] {
        let path = cacheDirectory + "/pending-stats"
        let taken = FileSystem.temporaryPath(beside: path)
        guard rename(path, taken) == 0 else { return [:] }
        defer { unlink(taken) }
        var counts: [Statistic: UInt64] = [:]
        guard let bytes = try? FileSystem.read(taken, limit: 16 << 20) else { return counts }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            if let raw = UInt16(line), let statistic = Statistic(rawValue: raw) { counts[statistic, default: 0] += 1 }
        }
        return counts
    }
}
