import Glibc
import HoardCore
import HoardRemoteStorage
import HoardStorage
import Synchronization

/// The daemon's storage: the local directory in front of an optional remote backend.
///
/// A remote hit is written back to the local tier; stores go to the local tier at once and to the remote in the
/// background. A remote that fails or times out is left alone for a while (doubling back-off, 2 s to 2 min), so a
/// dead or slow remote costs a build at most one timeout per back-off period. Thread-safe.
final class TieredStorage: Sendable {
    let local: LocalStorage
    private let remote: RemoteTier?
    /// Keep entries and manifests only in the remote (`HOARD_REMOTE_ONLY`).
    private let remoteOnly: Bool

    init(local: LocalStorage, remote: RemoteTier?, remoteOnly: Bool) {
        self.local = local
        self.remote = remote
        self.remoteOnly = remoteOnly && remote != nil
    }

    /// A one-line description of the remote and its health, for `--show-stats`.
    var remoteStatus: String {
        guard let remote else { return "" }
        return remote.status
    }

    /// Returns the entry under `key` from the first tier that has it.
    ///
    /// - Throws: ``StorageError`` from the local tier (a corrupt local entry); remote problems are counted, not thrown.
    func entry(for key: CacheKey) throws(StorageError) -> CacheEntry? {
        if !self.remoteOnly, let entry = try self.local.entry(for: key) { return entry }
        guard let remote, let bytes = remote.get(key.hex) else { return nil }
        guard let entry = try? CacheEntryFormat.decode(bytes) else {
            remote.count(.remoteCorruptEntries)
            return nil
        }
        remote.count(.remoteHits)
        if !self.remoteOnly { try? self.local.storeEncoded(bytes, for: key) }
        return entry
    }

    /// Stores an entry in the local tier, and in the remote in the background.
    func store(_ entry: CacheEntry, for key: CacheKey) throws(StorageError) {
        let bytes = CacheEntryFormat.encode(entry, compressionLevel: self.local.compressionLevel)
        if !self.remoteOnly { try self.local.storeEncoded(bytes, for: key) }
        self.remote?.putInBackground(key.hex, bytes)
    }

    /// Returns the manifest under `key` from the first tier that has entries for it (one written by an older version
    /// is read as none).
    func manifest(for key: CacheKey) throws(StorageError) -> Manifest? {
        if !self.remoteOnly, let manifest = try self.local.manifest(for: key), !manifest.entries.isEmpty {
            return manifest
        }
        guard let remote, let bytes = remote.get(key.hex + ".manifest") else { return nil }
        guard let manifest = try? Manifest.decode(bytes) else {
            remote.count(.remoteCorruptEntries)
            return nil
        }
        if !self.remoteOnly { try? self.local.storeManifest(manifest, for: key) }
        return manifest
    }

    /// Adds a manifest entry locally, and sends the updated manifest to the remote in the background.
    func addManifestEntry(_ entry: Manifest.Entry, for key: CacheKey) throws(StorageError) {
        let manifest: Manifest
        if self.remoteOnly {
            var merged = (try? self.manifest(for: key)) ?? Manifest()
            merged.add(entry)
            manifest = merged
        } else {
            manifest = try self.local.addManifestEntry(entry, for: key)
        }
        self.remote?.putInBackground(key.hex + ".manifest", manifest.encode())
    }
}

/// A remote backend with its health, back-off, statistics and background writer.
final class RemoteTier: Sendable {
    private let backend: any RemoteBackend
    private let readOnly: Bool
    private let statistics: StatisticsStore
    private let log: DaemonLog
    private let health = Mutex<(downUntil: UInt64, backoff: UInt64, lastError: String)>((0, 2_000_000_000, ""))
    private let queue = Mutex<[(name: String, bytes: [UInt8])]>([])
    private let pending = Semaphore()
    private static let maximumQueued = 256

    init(backend: any RemoteBackend, readOnly: Bool, statistics: StatisticsStore, log: DaemonLog) {
        self.backend = backend
        self.readOnly = readOnly
        self.statistics = statistics
        self.log = log
        if !readOnly {
            // Two writers: a slow put does not hold up the next one for long.
            for _ in 0..<2 { startDetachedThread { [self] in self.writeLoop() } }
        }
    }

    var status: String {
        let (downUntil, _, lastError) = self.health.withLock { $0 }
        let mode = self.readOnly ? " (read-only)" : ""
        if MonotonicClock.now() < downUntil {
            return "\(self.backend.description)\(mode): down, retrying in "
                + "\((downUntil - MonotonicClock.now()) / 1_000_000_000 + 1) s (\(lastError))"
        }
        return "\(self.backend.description)\(mode): up"
    }

    func count(_ statistic: Statistic) {
        self.statistics.add(statistic)
    }

    private var isAvailable: Bool {
        MonotonicClock.now() >= self.health.withLock { $0.downUntil }
    }

    private func succeeded() {
        self.health.withLock { $0.backoff = 2_000_000_000 }
    }

    private func failed(_ error: StorageError) {
        self.statistics.add(error.code == .timedOut ? .remoteTimeouts : .remoteErrors)
        let backoff = self.health.withLock { health -> UInt64 in
            health.downUntil = MonotonicClock.now() + health.backoff
            health.lastError = error.message
            let current = health.backoff
            health.backoff = min(health.backoff * 2, 120_000_000_000)
            return current
        }
        self.log.write(
            "remote \(self.backend.description): \(error.message); not used for \(backoff / 1_000_000_000) s"
        )
    }

    /// Fetches a blob, or `nil` when it is missing or the remote is unavailable.
    func get(_ name: String) -> [UInt8]? {
        guard self.isAvailable else {
            self.statistics.add(.remoteSkipped)
            return nil
        }
        do {
            let bytes = try self.backend.get(name)
            self.succeeded()
            if bytes == nil { self.statistics.add(.remoteMisses) }
            return bytes
        } catch {
            self.failed(error)
            return nil
        }
    }

    /// Queues a blob for the remote; drops it (counted) when the queue is full.
    func putInBackground(_ name: String, _ bytes: [UInt8]) {
        guard !self.readOnly else { return }
        let queued = self.queue.withLock { queue -> Bool in
            guard queue.count < Self.maximumQueued else { return false }
            queue.append((name, bytes))
            return true
        }
        if queued { self.pending.signal() } else { self.statistics.add(.remoteSkipped) }
    }

    private func writeLoop() {
        while true {
            self.pending.wait()
            guard let item = self.queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            guard self.isAvailable else {
                self.statistics.add(.remoteSkipped)
                continue
            }
            do {
                try self.backend.put(item.name, item.bytes)
                self.succeeded()
                self.statistics.add(.remoteWrites)
            } catch  where error.code == .rejected {
                self.statistics.add(.remoteRejected)
            } catch {
                self.failed(error)
            }
        }
    }

    /// Waits until the background queue is empty (bounded), for an orderly shutdown.
    func drain(timeoutNanoseconds: UInt64) {
        let deadline = MonotonicClock.now() + timeoutNanoseconds
        while MonotonicClock.now() < deadline && !self.queue.withLock({ $0.isEmpty }) { usleep(10_000) }
    }
}
