import Glibc
public import HoardCore
import Synchronization

/// Entries on local disk: one file per entry at `<directory>/<k0>/<key>`, with a size limit kept by an LRU index that
/// is rebuilt from the directory on start.
///
/// One level of 16 shards: a new cache's first stores create 16 directories, not the ~80 a build's worth of entries
/// would spread over two levels (ext4 without a journal spends ~0.1 ms finding an inode for each). Entries of the
/// earlier two-level layout (`<k0>/<k1>/<key>`) are moved up a level when the index is rebuilt.
///
/// Thread-safe: the index is behind a mutex; file writes are a temporary file and a rename, so readers never see
/// a partial entry.
public final class LocalStorage: CacheStorage {
    /// The cache directory.
    public let directory: String
    /// The zstd level for new entries, or `nil` for none.
    public let compressionLevel: Int?
    private let state: Mutex<IndexState>
    /// Serializes manifest read-modify-write cycles, so concurrent updates never lose an entry.
    private let manifestLock = Mutex<Void>(())
    /// Decoded manifests by file name: a direct-mode hit then reads no manifest file.
    private let manifestCache = Mutex<[String: Manifest]>([:])
    private static let manifestCacheCapacity = 4096

    private struct IndexState {
        var entries: [String: (size: UInt64, lastUse: UInt64, touchedAt: Int64)] = [:]
        var totalSize: UInt64 = 0
        var maximumSize: UInt64
        var clock: UInt64 = 0
        var evictions: UInt64 = 0
    }

    /// Opens (and indexes) a cache directory.
    ///
    /// - Parameters:
    ///   - directory: the cache directory; created if missing.
    ///   - maximumSize: the size limit in bytes.
    ///   - compressionLevel: the zstd level for new entries, or `nil` for none.
    /// - Throws: ``SystemError`` if the directory cannot be created.
    public init(directory: String, maximumSize: UInt64, compressionLevel: Int? = 1) throws(SystemError) {
        self.directory = directory
        self.compressionLevel = compressionLevel
        try FileSystem.createDirectories(directory, mode: 0o700)
        var index = IndexState(maximumSize: maximumSize)
        var found: [(key: String, size: UInt64, mtime: Int64)] = []
        // Modification times order the index across restarts; they are refreshed at most hourly on use.
        // Only the shard directories that exist are read (a new cache has none: no failed open per shard).
        let shardNames = Set(hexDigits)
        for first in FileSystem.listDirectory(directory) where shardNames.contains(first) {
            let shard = "\(directory)/\(first)"
            var names = FileSystem.listDirectory(shard)
            for second in names where shardNames.contains(second) {
                names += Self.moveUp("\(shard)/\(second)")
            }
            for name in names {
                let path = "\(shard)/\(name)"
                if name.hasPrefix(".") {
                    // A temporary left by a killed writer.
                    unlink(path)
                    continue
                }
                guard isStorageName(name), let stamp = FileSystem.stamp(of: path) else { continue }
                found.append((name, stamp.size, stamp.mtimeNanoseconds))
            }
        }
        found.sort { $0.mtime < $1.mtime }
        for item in found {
            index.clock += 1
            index.entries[item.key] = (item.size, index.clock, item.mtime / 1_000_000_000)
            index.totalSize += item.size
        }
        self.state = Mutex(index)
        self.evictIfNeeded()
    }

    /// Moves the entries of a second-level shard of the earlier layout into its parent, removes temporaries left by a
    /// killed writer and then the directory (if empty), and returns the names moved.
    private static func moveUp(_ subshard: String) -> [String] {
        let parent = Path.directory(of: subshard)
        var moved: [String] = []
        for name in FileSystem.listDirectory(subshard) {
            let path = "\(subshard)/\(name)"
            if isStorageName(name), rename(path, "\(parent)/\(name)") == 0 {
                moved.append(name)
            } else if name.hasPrefix(".") {
                unlink(path)
            }
        }
        rmdir(subshard)
        return moved
    }

    /// The number of result entries and the total size in bytes of entries and manifests.
    public var usage: (entries: UInt64, bytes: UInt64) {
        self.state.withLock { state in
            (UInt64(state.entries.keys.filter { !$0.hasSuffix(manifestSuffix) }.count), state.totalSize)
        }
    }

    /// The size limit in bytes.
    public var maximumSize: UInt64 {
        self.state.withLock { $0.maximumSize }
    }

    /// Entries evicted since the storage was opened.
    public var evictionCount: UInt64 {
        self.state.withLock { $0.evictions }
    }

    /// Returns the path of the entry file for `key`.
    public func path(for key: CacheKey) -> String {
        self.path(forName: key.hex)
    }

    /// Returns the path of the manifest file for `key`.
    public func manifestPath(for key: CacheKey) -> String {
        self.path(forName: key.hex + manifestSuffix)
    }

    private func path(forName name: String) -> String {
        "\(self.directory)/\(name.prefix(1))/\(name)"
    }

    public func entry(for key: CacheKey) throws(StorageError) -> CacheEntry? {
        try self.load(key.hex) { (bytes) throws(StorageError) in try CacheEntryFormat.decode(bytes) }
    }

    @discardableResult
    public func store(_ entry: CacheEntry, for key: CacheKey) throws(StorageError) -> Bool {
        try self.save(CacheEntryFormat.encode(entry, compressionLevel: self.compressionLevel), name: key.hex)
        return true
    }

    /// Stores an entry already encoded by ``CacheEntryFormat`` (a remote hit written back, say).
    public func storeEncoded(_ bytes: [UInt8], for key: CacheKey) throws(StorageError) {
        try self.save(bytes, name: key.hex)
    }

    /// Stores a whole manifest, replacing the local one (a remote manifest written back).
    public func storeManifest(_ manifest: Manifest, for key: CacheKey) throws(StorageError) {
        try self.manifestLock.withLock { (_) throws(StorageError) in
            try self.save(manifest.encode(), name: key.hex + manifestSuffix)
            self.cacheManifest(manifest, name: key.hex + manifestSuffix)
        }
    }

    /// Returns the manifest stored under `key`, or `nil`.
    ///
    /// - Parameter key: the manifest key.
    /// - Returns: the manifest, or `nil` if there is none.
    /// - Throws: ``StorageError`` if it exists but cannot be read or is corrupt (it is then deleted).
    public func manifest(for key: CacheKey) throws(StorageError) -> Manifest? {
        let name = key.hex + manifestSuffix
        if let cached = self.manifestCache.withLock({ $0[name] }) {
            self.touch(name, path: self.path(forName: name))
            return cached
        }
        let manifest = try self.load(name) { (bytes) throws(StorageError) in try Manifest.decode(bytes) }
        if let manifest { self.cacheManifest(manifest, name: name) }
        return manifest
    }

    private func cacheManifest(_ manifest: Manifest?, name: String) {
        self.manifestCache.withLock { cache in
            if cache.count >= Self.manifestCacheCapacity { cache.removeAll(keepingCapacity: true) }
            cache[name] = manifest
        }
    }

    /// Adds an entry to the manifest under `key`, creating it if needed; concurrent updates never lose entries.
    ///
    /// - Parameters:
    ///   - entry: the new entry.
    ///   - key: the manifest key.
    /// - Throws: ``StorageError`` if writing failed.
    /// - Returns: the manifest with the entry added.
    @discardableResult
    public func addManifestEntry(_ entry: Manifest.Entry, for key: CacheKey) throws(StorageError) -> Manifest {
        try self.manifestLock.withLock { (_) throws(StorageError) -> Manifest in
            var manifest = (try? self.manifest(for: key)) ?? Manifest()
            manifest.add(entry)
            try self.save(manifest.encode(), name: key.hex + manifestSuffix)
            self.cacheManifest(manifest, name: key.hex + manifestSuffix)
            return manifest
        }
    }

    private func load<T>(_ name: String, decode: ([UInt8]) throws(StorageError) -> T) throws(StorageError) -> T? {
        let path = self.path(forName: name)
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.read(path, limit: 8 << 30)
        } catch {
            if error.errno == ENOENT {
                self.forget(name)
                return nil
            }
            throw StorageError(.readFailed, error.description)
        }
        do {
            let value = try decode(bytes)
            self.touch(name, path: path)
            return value
        } catch {
            unlink(path)
            self.forget(name)
            throw StorageError(.corrupt, "\(path): \(error.message)")
        }
    }

    private func save(_ bytes: [UInt8], name: String) throws(StorageError) {
        let path = self.path(forName: name)
        do {
            try FileSystem.createDirectories(Path.directory(of: path), mode: 0o700)
            // Only daemons read these files, and one takes a file missing for a moment as a miss (its own manifests
            // it keeps in memory): that costs less than the disk write that replacing the old file would start.
            try FileSystem.writeAtomically(bytes, to: path, mode: 0o600, removingFirst: true)
        } catch {
            throw StorageError(.writeFailed, error.description)
        }
        self.state.withLock { state in
            state.clock += 1
            if let old = state.entries[name] { state.totalSize -= old.size }
            state.entries[name] = (UInt64(bytes.count), state.clock, WallClock.now() / 1_000_000_000)
            state.totalSize += UInt64(bytes.count)
        }
        self.evictIfNeeded()
    }

    /// Removes every entry.
    public func clear() {
        let keys = self.state.withLock { state in
            let keys = Array(state.entries.keys)
            state.entries = [:]
            state.totalSize = 0
            return keys
        }
        self.manifestCache.withLock { $0.removeAll() }
        for name in keys { unlink(self.path(forName: name)) }
    }

    /// Changes the size limit and evicts down to it.
    public func setMaximumSize(_ size: UInt64) {
        self.state.withLock { $0.maximumSize = size }
        self.evictIfNeeded()
    }

    private func touch(_ name: String, path: String) {
        let now = WallClock.now() / 1_000_000_000
        let stale = self.state.withLock { state -> Bool in
            state.clock += 1
            guard let old = state.entries[name] else { return false }
            let stale = now - old.touchedAt > touchInterval
            state.entries[name] = (old.size, state.clock, stale ? now : old.touchedAt)
            return stale
        }
        // Keeps the order across restarts (the index is rebuilt from modification times), without dirtying an
        // inode on every hit: a journaled inode update can block the hit on the disk.
        if stale { utimensat(AT_FDCWD, path, nil, 0) }
    }

    private func forget(_ name: String) {
        self.cacheManifest(nil, name: name)
        self.state.withLock { state in
            if let old = state.entries.removeValue(forKey: name) { state.totalSize -= old.size }
        }
    }

    /// Evicts the least recently used entries until the total is at most 90 % of the limit.
    private func evictIfNeeded() {
        let victims: [String] = self.state.withLock { state in
            guard state.totalSize > state.maximumSize else { return [] }
            let target = state.maximumSize / 10 * 9
            var victims: [String] = []
            for (key, value) in state.entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
                if state.totalSize <= target { break }
                state.entries[key] = nil
                state.totalSize -= value.size
                victims.append(key)
            }
            state.evictions += UInt64(victims.count)
            return victims
        }
        for name in victims {
            self.cacheManifest(nil, name: name)
            unlink(self.path(forName: name))
        }
    }
}

private let hexDigits = Array("0123456789abcdef").map(String.init)
private let manifestSuffix = ".manifest"
/// Seconds between refreshes of an entry's modification time on use.
private let touchInterval: Int64 = 3600

/// Tells whether a file name in a shard is an entry (a key) or a manifest (a key and `.manifest`).
private func isStorageName(_ name: String) -> Bool {
    let key = name.hasSuffix(manifestSuffix) ? String(name.dropLast(manifestSuffix.count)) : name
    return CacheKey(hex: key) != nil
}
