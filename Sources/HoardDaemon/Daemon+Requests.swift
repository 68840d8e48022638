import Glibc
import HoardCore
import HoardStorage
import HoardWire

extension Daemon {
    /// Handles one request.
    ///
    /// Every failure is a typed response or a miss, counted; never a dropped connection.
    func handle(_ request: Request) -> Response {
        switch request {
        case .hello:
            return .hello(protocolVersion: wireProtocolVersion, daemonVersion: daemonVersion, pid: UInt32(getpid()))
        case .compilerIdentityGet(let path, let stamp):
            let identity = self.identities.identity(for: path, stamp: stamp.fields)
            // The client asked, so it found no file with this identity: write it for the next ones.
            if let identity { self.keepIdentityFile(identity, for: path, stamp: stamp) }
            return .compilerIdentity(identity)
        case .compilerIdentityPut(let path, let stamp, let identity):
            self.identities.store(identity, for: path, stamp: stamp.fields)
            self.keepIdentityFile(identity, for: path, stamp: stamp)
            return .ok
        case .cacheGet(let key, let directory, let outputs, let umask, let elapsed):
            self.storePending(answering: key)
            return self.get(
                key: key,
                workingDirectory: directory,
                outputs: outputs,
                umask: umask,
                elapsedMicroseconds: elapsed
            )
        case .cachePut(
            let key,
            let directory,
            let baseDirectories,
            let outputs,
            let stdout,
            let stderr,
            let status,
            let elapsed,
            let manifest
        ):
            return self.put(
                key: key,
                workingDirectory: directory,
                baseDirectories: baseDirectories,
                outputs: outputs,
                stdout: stdout,
                stderr: stderr,
                status: status,
                elapsed: elapsed,
                manifest: manifest
            )
        case .directGet(let key, let directory, let outputs, let umask, let elapsed, let environment):
            self.storePending(answering: key)
            return self.directGet(
                manifestKey: key,
                workingDirectory: directory,
                outputs: outputs,
                umask: umask,
                elapsedMicroseconds: elapsed,
                environment: environment
            )
        case .manifestPut(let record):
            return self.manifestPut(record)
        case .recordStats(let counters):
            for counter in counters { self.statistics.add(rawValue: counter.id, counter.value) }
            return .ok
        case .getStats:
            // The counts include every store taken so far.
            self.storePending(answering: nil)
            self.absorbPendingStatistics()
            let usage = self.storage.local.usage
            var counters = self.statistics.snapshot().map { WireCounter(id: $0.0.rawValue, value: $0.1) }
            if let index = counters.firstIndex(where: { $0.id == Statistic.evictions.rawValue }) {
                counters[index].value += self.storage.local.evictionCount
            }
            return .stats(
                WireStats(
                    counters: counters,
                    entryCount: usage.entries,
                    byteCount: usage.bytes,
                    maximumBytes: self.storage.local.maximumSize,
                    cacheDirectory: self.options.cacheDirectory,
                    remoteStatus: self.storage.remoteStatus
                )
            )
        case .zeroStats:
            self.storePending(answering: nil)
            self.statistics.zero()
            self.statistics.persist()
            return .ok
        case .clear:
            self.storePending(answering: nil)
            self.storage.local.clear()
            return .ok
        case .shutdown:
            self.requestShutdown()
            return .ok
        case .flushStores:
            self.storePending(answering: nil)
            return .ok
        }
    }

    /// Adds the counts clients left in the pending file while no daemon was reachable.
    func absorbPendingStatistics() {
        for (statistic, count) in PendingStatistics.drain(cacheDirectory: self.options.cacheDirectory) {
            self.statistics.add(statistic, count)
        }
    }

    private func get(
        key keyText: String,
        workingDirectory: String,
        outputs: [WireOutput],
        umask: UInt32,
        elapsedMicroseconds: UInt64
    )
        -> Response
    {
        let started = MonotonicClock.now()
        guard let key = CacheKey(hex: keyText) else {
            self.statistics.add(.invalidPaths)
            return .error(code: WireErrorCode.invalidPath, message: "invalid key \(keyText)")
        }
        if let invalid = outputs.first(where: { !isValidOutputPath($0.path) }) {
            self.statistics.add(.invalidPaths)
            self.log.write("get \(keyText): invalid path \(invalid.path)")
            return .error(code: WireErrorCode.invalidPath, message: "invalid output path \(invalid.path)")
        }
        self.statistics.add(.requests)
        let response = self.restoreResult(key, to: outputs, umask: umask, workingDirectory: workingDirectory)
        guard case .hit = response else {
            self.statistics.add(.misses)
            return .miss
        }
        self.statistics.add(.preprocessedHits)
        let daemonMicroseconds = (MonotonicClock.now() - started) / 1000
        self.statistics.add(.hitMicroseconds, elapsedMicroseconds + daemonMicroseconds)
        return response
    }

    /// Loads the entry under `key` and writes its outputs; returns `.hit` with its replay data, or `.miss` for a
    /// missing, corrupt or unrestorable entry (errors counted).
    func restoreResult(_ key: CacheKey, to outputs: [WireOutput], umask: UInt32, workingDirectory: String) -> Response {
        let entry: CacheEntry?
        do {
            entry = try self.storage.entry(for: key)
        } catch {
            self.statistics.add(error.code == .corrupt ? .corruptEntries : .storageReadErrors)
            self.log.write("get \(key.hex): \(error)")
            entry = nil
        }
        guard let entry else { return .miss }
        do {
            try restore(entry, to: outputs, umask: mode_t(umask & 0o777), workingDirectory: workingDirectory)
        } catch {
            self.statistics.add(.restoreErrors)
            self.log.write("get \(key.hex): restore failed: \(error)")
            return .miss
        }
        return .hit(stdout: entry.standardOutput, stderr: entry.standardError, exitStatus: entry.exitStatus)
    }

    /// Takes a CachePut: reads its outputs now, and queues the rest (see ``PendingStores``).
    private func put(
        key: String,
        workingDirectory: String,
        baseDirectories: [String],
        outputs: [WireOutput],
        stdout: [UInt8],
        stderr: [UInt8],
        status: Int32,
        elapsed: UInt64,
        manifest record: WireManifestRecord?
    ) -> Response {
        self.statistics.add(.missMicroseconds, elapsed)
        guard outputs.allSatisfy({ isValidOutputPath($0.path) }) else {
            self.statistics.add(.invalidPaths)
            return .error(code: WireErrorCode.invalidPath, message: "invalid output path")
        }
        // Depend mode names the result by the manifest record's includes, once they are checked.
        guard key.isEmpty ? record != nil : CacheKey(hex: key) != nil else {
            self.statistics.add(.invalidPaths)
            return .error(code: WireErrorCode.invalidPath, message: "invalid key")
        }
        var members: [CacheEntry.Member] = []
        for output in outputs where output.flag {
            do {
                var member = try readOutput(output)
                if member.role == OutputRole.dependencies.rawValue && !baseDirectories.isEmpty {
                    member.bytes = DependencyFile.relocate(
                        member.bytes,
                        baseDirectories: baseDirectories,
                        workingDirectory: workingDirectory
                    )
                }
                members.append(member)
            } catch {
                self.statistics.add(.outputsChangedBeforeStore)
                self.log.write("put \(key.isEmpty ? record?.manifestKey ?? "" : key): \(error)")
                return .ok
            }
        }
        self.pendingStores.add(
            PendingStore(
                key: key,
                record: record,
                members: members,
                standardOutput: stdout,
                standardError: stderr,
                exitStatus: status
            )
        )
        return .ok
    }

    /// Stores now every waiting store that a lookup of `key` may find (every one, if `key` is `nil`), and waits
    /// for those being stored.
    func storePending(answering key: String?) {
        for store in self.pendingStores.take(answering: key) {
            self.store(store)
            self.pendingStores.finished(store)
        }
        self.pendingStores.waitWhileStoring(answering: key)
    }

    /// Stores a taken CachePut: its manifest record first (if an include forbids storing, neither it nor the
    /// result is stored), then the entry.
    func store(_ store: PendingStore) {
        var manifestEntry: (key: CacheKey, entry: Manifest.Entry)?
        if let record = store.record {
            switch self.validate(record) {
            case .success(let validated):
                manifestEntry = validated
            case .failure(let refusal):
                self.statistics.add(refusal.statistic)
                self.log.write("not stored (\(refusal.statistic.name)): \(refusal.detail)")
                if !refusal.storeResult { return }
            }
        }
        guard let key = manifestEntry?.entry.resultKey ?? CacheKey(hex: store.key) else {
            self.statistics.add(.invalidPaths)
            self.log.write("put: invalid key \(store.key)")
            return
        }
        let entry = CacheEntry(
            members: store.members,
            standardOutput: store.standardOutput,
            standardError: store.standardError,
            exitStatus: store.exitStatus
        )
        do {
            try self.storage.store(entry, for: key)
            self.statistics.add(.stores)
        } catch {
            self.statistics.add(.storageWriteErrors)
            self.log.write("put \(key.hex): \(error)")
            return
        }
        if let manifestEntry { self.addManifestEntry(manifestEntry.entry, for: manifestEntry.key) }
    }
}

/// Tells whether a client path may be written or read: absolute, normalized, in an existing directory.
func isValidOutputPath(_ path: String) -> Bool {
    Path.isNormalizedAbsolute(path) && FileSystem.isDirectory(Path.directory(of: path))
}

/// Reads an output the client reported, refusing it if it changed since the client's stamp.
private func readOutput(_ output: WireOutput) throws(SystemError) -> CacheEntry.Member {
    let descriptor = open(output.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard descriptor >= 0 else { throw SystemError("open \(output.path)") }
    defer { close(descriptor) }
    guard let before = FileSystem.stamp(ofDescriptor: descriptor), before.hasSameContent(as: output.stamp) else {
        throw SystemError("\(output.path) changed after the compile", errno: ESTALE)
    }
    let bytes = try FileSystem.readAll(descriptor, path: output.path)
    guard let after = FileSystem.stamp(ofDescriptor: descriptor), after.hasSameContent(as: output.stamp),
        UInt64(bytes.count) == output.stamp.size
    else {
        throw SystemError("\(output.path) changed while it was read", errno: ESTALE)
    }
    var status = stat()
    fstat(descriptor, &status)
    return CacheEntry.Member(role: output.role, mode: UInt32(status.st_mode & 0o777), bytes: bytes)
}

/// Writes every output of a hit: all temporaries first, then the renames, so a failure leaves no partial output.
///
/// An output that already holds exactly the entry's bytes (a rebuild after touching a header, say) is not written
/// again: its times are set to now, as a compile would leave them.
private func restore(
    _ entry: CacheEntry,
    to outputs: [WireOutput],
    umask: mode_t,
    workingDirectory: String
) throws(SystemError) {
    var pending: [(temporary: String, path: String)] = []
    var unchanged: [Int32] = []
    func discard() {
        for item in pending { unlink(item.temporary) }
        for descriptor in unchanged { close(descriptor) }
    }
    for output in outputs {
        guard let member = entry.member(output.role) else {
            if output.flag { continue }
            discard()
            throw SystemError("entry lacks output role \(output.role)", errno: ENOENT)
        }
        let bytes =
            member.role == OutputRole.dependencies.rawValue
            ? DependencyFile.restore(member.bytes, workingDirectory: workingDirectory) : member.bytes
        if let descriptor = openIfIdentical(output.path, to: bytes, mode: 0o666 & ~umask) {
            unchanged.append(descriptor)
            continue
        }
        let temporary = FileSystem.temporaryPath(beside: output.path)
        let descriptor = openReplacement(for: output.path, temporary: temporary, mode: 0o666 & ~umask)
        guard descriptor >= 0 else {
            let error = SystemError("create \(temporary)")
            discard()
            throw error
        }
        pending.append((temporary, output.path))
        do throws(SystemError) {
            try FileSystem.writeAll(bytes, to: descriptor)
            // A reused file is overwritten from the start, then cut to size (see `openReplacement`).
            guard ftruncate(descriptor, off_t(bytes.count)) == 0 else { throw SystemError("truncate \(temporary)") }
            fchmod(descriptor, 0o666 & ~umask)
        } catch {
            close(descriptor)
            discard()
            throw error
        }
        guard close(descriptor) == 0 else {
            let error = SystemError("close \(temporary)")
            discard()
            throw error
        }
    }
    for item in pending {
        // Removing the old output first keeps ext4 (auto_da_alloc) from flushing the new file to disk on a
        // replacing rename, which would make every hit wait for the disk. A reader may briefly find no output,
        // never a partial one.
        unlink(item.path)
        if rename(item.temporary, item.path) != 0 {
            let error = SystemError("rename \(item.temporary)")
            discard()
            throw error
        }
    }
    for descriptor in unchanged {
        futimens(descriptor, nil)
        close(descriptor)
    }
}

/// Opens `path` for reading if it is a plain file of ours, with one link and `mode`, whose content is exactly
/// `bytes`; otherwise returns `nil`.
private func openIfIdentical(_ path: String, to bytes: [UInt8], mode: mode_t) -> Int32? {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    var status = stat()
    if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_mode & 0o7777 == mode,
        status.st_nlink == 1, status.st_uid == getuid(), status.st_size == off_t(bytes.count),
        let existing = try? FileSystem.readAll(descriptor, path: path), existing == bytes
    {
        return descriptor
    }
    close(descriptor)
    return nil
}

/// Opens `temporary` for the next content of `path`.
///
/// A plain file of ours at `path` with no other link is moved to `temporary` and reused: allocating an inode per
/// hit, and freeing the old one, is the costliest part of a restore on ext4 without a journal, whose allocator skips
/// every recently freed inode. The file is overwritten from the start and cut to size afterwards, never truncated
/// first: ext4 (auto_da_alloc) writes a file truncated to zero to disk when it is closed, which would make the hit
/// wait for the disk. A file with other links (cargo's uplifted outputs), or anything else, keeps its inode and a
/// new file is created instead. Either way a reader of `path` sees the old file, no file, or the whole new file.
private func openReplacement(for path: String, temporary: String, mode: mode_t) -> Int32 {
    var existing = stat()
    if lstat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG, existing.st_nlink == 1,
        existing.st_uid == getuid(), rename(path, temporary) == 0
    {
        let descriptor = open(temporary, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        var opened = stat()
        if descriptor >= 0, fstat(descriptor, &opened) == 0, opened.st_ino == existing.st_ino,
            opened.st_dev == existing.st_dev, opened.st_nlink == 1
        {
            return descriptor
        }
        if descriptor >= 0 { close(descriptor) }
        unlink(temporary)
    }
    return open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
}

extension Daemon {
    /// Writes a compiler's own identity where clients read it without asking (``CompilerIdentityFile``).
    ///
    /// Best effort: a client that finds no file asks. A fact about a compiler (its path carries a question after a
    /// NUL) is kept in memory only.
    func keepIdentityFile(_ identity: [UInt8], for path: String, stamp: FileStamp) {
        // A fact's NUL makes its path not normalized, as it does for any path not absolute.
        guard Path.isNormalizedAbsolute(path) else { return }
        let file = CompilerIdentityFile.path(for: path, cacheDirectory: self.options.cacheDirectory)
        let bytes = CompilerIdentityFile.encode(compilerPath: path, stamp: stamp, identity: identity)
        try? FileSystem.createDirectories(Path.directory(of: file), mode: 0o700)
        try? FileSystem.writeAtomically(bytes, to: file, mode: 0o600)
    }
}
