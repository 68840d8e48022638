import Glibc
import HoardCore
import HoardRemoteStorage
import HoardStorage
import HoardWire
import Synchronization

/// The version string of this build, shared by `hoard` and `hoardd`.
let daemonVersion = hoardVersion

/// The daemon: one per user and cache directory.
///
/// It owns storage, statistics and the compiler-identity cache, and never runs a compiler.
///
/// Threading: the main thread accepts connections and runs the idle and persistence timers; each connection gets
/// its own thread; a store thread writes the stores clients handed over once requests pause (``PendingStores``); a
/// signal thread turns SIGTERM and SIGINT into a clean shutdown.
public final class Daemon: Sendable {
    /// What the daemon was started with.
    public struct Options: Sendable {
        /// The cache directory.
        public var cacheDirectory: String
        /// The socket path.
        public var socketPath: String
        /// The lock held for the daemon's life.
        public var daemonLockPath: String
        /// The lock clients take to start the daemon, removed with the daemon lock on exit; `nil` for a socket
        /// elsewhere.
        public var startLockPath: String?
        /// The size limit in bytes.
        public var maximumSize: UInt64
        /// Idle seconds before exiting; 0 = never.
        public var idleTimeoutSeconds: UInt64
        /// The zstd level, or `nil` for none.
        public var compressionLevel: Int?
        /// The log file.
        public var logFile: String?
        /// A descriptor to write one byte to, and close, once the socket accepts connections (the starting client
        /// waits on it); `nil` for none.
        public var readyDescriptor: Int32?
        /// The remote backend's URL.
        public var remoteURL: String?
        /// Never write to the remote.
        public var remoteReadOnly: Bool
        /// Keep entries in the remote only.
        public var remoteOnly: Bool
        /// The remote's timeouts.
        public var remoteTimeouts: RemoteTimeouts

        /// Options from a configuration.
        public init(configuration: Configuration) {
            let location = DaemonLocation(cacheDirectory: configuration.cacheDirectory)
            self.cacheDirectory = configuration.cacheDirectory
            self.socketPath = location.socketPath
            self.daemonLockPath = location.daemonLockPath
            self.startLockPath = location.startLockPath
            self.maximumSize = configuration.maximumSize
            self.idleTimeoutSeconds = configuration.idleTimeoutSeconds
            self.compressionLevel = configuration.compressionLevel == 0 ? nil : configuration.compressionLevel
            self.logFile = configuration.logFile
            self.remoteURL = configuration.remoteURL
            self.remoteReadOnly = configuration.remoteReadOnly
            self.remoteOnly = configuration.remoteOnly
            self.remoteTimeouts = RemoteTimeouts(
                connectMilliseconds: configuration.remoteConnectTimeoutMilliseconds,
                operationMilliseconds: configuration.remoteTimeoutMilliseconds
            )
        }
    }

    let options: Options
    let storage: TieredStorage
    let statistics: StatisticsStore
    let identities = CompilerIdentityCache()
    let digests = DigestCache()
    let absences = AbsenceMemo()
    let listings = DirectoryListings()
    let pendingStores = PendingStores()
    let log: DaemonLog
    private let lastActivity: Atomic<UInt64>
    private let activeConnections = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)

    /// Opens the storage and statistics.
    ///
    /// - Parameter options: the settings.
    /// - Throws: ``SystemError`` if the cache directory cannot be created.
    public init(options: Options) throws(SystemError) {
        self.options = options
        let log = DaemonLog(path: options.logFile)
        self.log = log
        let local = try LocalStorage(
            directory: options.cacheDirectory,
            maximumSize: options.maximumSize,
            compressionLevel: options.compressionLevel
        )
        let statistics = StatisticsStore(path: options.cacheDirectory + "/stats")
        self.statistics = statistics
        var remote: RemoteTier?
        if let url = options.remoteURL {
            do {
                let backend = try makeRemoteBackend(url, timeouts: options.remoteTimeouts)
                remote = RemoteTier(
                    backend: backend,
                    readOnly: options.remoteReadOnly,
                    statistics: statistics,
                    log: log
                )
            } catch {
                log.write("remote \(url): \(error.message); using the local disk only")
            }
        }
        self.storage = TieredStorage(local: local, remote: remote, remoteOnly: options.remoteOnly)
        self.lastActivity = Atomic(MonotonicClock.now())
    }

    /// Runs until shut down, idle for too long, or signalled.
    ///
    /// - Returns: the process exit status.
    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        sigaddset(&blocked, SIGINT)
        sigaddset(&blocked, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)

        let location = DaemonLocation(cacheDirectory: self.options.cacheDirectory)
        if self.options.socketPath == location.socketPath {
            do {
                try location.preparePrivateDirectory()
            } catch {
                self.log.write("cannot prepare \(location.directory): \(error)")
                return 1
            }
        }
        // The daemon lock makes a second daemon for the same directory exit at once.
        let lock: Int32
        do {
            guard let held = try LockFile.tryLock(self.options.daemonLockPath) else {
                self.log.write("another daemon holds \(self.options.daemonLockPath); exiting")
                return 0
            }
            lock = held
        } catch {
            self.log.write("cannot take the daemon lock: \(error)")
            return 1
        }
        let listener: Int32
        do {
            listener = try UnixSocket.listen(at: self.options.socketPath)
        } catch {
            self.log.write("cannot listen: \(error)")
            return 1
        }
        if let ready = self.options.readyDescriptor {
            try? FileSystem.writeAll([1], to: ready)
            close(ready)
        }
        self.absorbPendingStatistics()
        self.log.write("listening on \(self.options.socketPath) for \(self.options.cacheDirectory)")

        let signals = blocked
        startDetachedThread { [self] in
            var signalNumber: Int32 = 0
            var set = signals
            sigwait(&set, &signalNumber)
            self.log.write("signal \(signalNumber): shutting down")
            self.stopping.store(true, ordering: .sequentiallyConsistent)
        }

        guard
            let acceptors = AcceptorPool(
                listener: listener,
                serve: { [self] connection in
                    self.activeConnections.add(1, ordering: .relaxed)
                    self.lastActivity.store(MonotonicClock.now(), ordering: .relaxed)
                    self.serve(UnixSocket(descriptor: connection))
                    self.lastActivity.store(MonotonicClock.now(), ordering: .relaxed)
                    self.activeConnections.subtract(1, ordering: .relaxed)
                },
                stopping: { [self] in self.stopping.load(ordering: .sequentiallyConsistent) }
            )
        else {
            self.log.write("cannot start a thread to accept connections")
            unlink(self.options.socketPath)
            return 1
        }

        startDetachedThread { [self] in
            while true {
                let store = self.pendingStores.next { self.isQuiet }
                self.store(store)
                self.pendingStores.finished(store)
            }
        }

        var lastPersist = MonotonicClock.now()
        while !self.stopping.load(ordering: .sequentiallyConsistent) {
            usleep(250_000)
            let now = MonotonicClock.now()
            if now - lastPersist > 5_000_000_000 {
                self.statistics.persist()
                lastPersist = now
            }
            let idle = now &- self.lastActivity.load(ordering: .relaxed)
            if self.options.idleTimeoutSeconds > 0,
                self.activeConnections.load(ordering: .relaxed) == 0,
                idle > self.options.idleTimeoutSeconds * 1_000_000_000
            {
                self.log.write("idle for \(self.options.idleTimeoutSeconds) s: exiting")
                self.stopping.store(true, ordering: .sequentiallyConsistent)
            }
        }
        // Stop accepting first, then let running requests finish (bounded), then persist. The listener stays open
        // until exit: closing it could hand its number to another file while a thread still calls accept on it.
        unlink(self.options.socketPath)
        shutdown(listener, Int32(SHUT_RDWR))
        acceptors.waitForThreads(until: MonotonicClock.now() + 5_000_000_000)
        self.storePending(answering: nil)
        self.statistics.persist()
        self.log.write("stopped")
        // The lock files go too, unless a client is starting the next daemon (it holds the start lock).
        if let path = self.options.startLockPath, let start = try? LockFile.tryLock(path) {
            LockFile.remove(path, holding: start)
        }
        LockFile.remove(self.options.daemonLockPath, holding: lock)
        return 0
    }

    /// Tells whether waiting stores may be written: no client has been connected for ``PendingStores/pause``, or
    /// the daemon is stopping.
    private var isQuiet: Bool {
        if self.stopping.load(ordering: .relaxed) { return true }
        return self.activeConnections.load(ordering: .relaxed) == 0
            && MonotonicClock.now() &- self.lastActivity.load(ordering: .relaxed) >= PendingStores.pause
    }

    /// Asks the accept loop to stop.
    func requestShutdown() {
        self.stopping.store(true, ordering: .sequentiallyConsistent)
    }

    /// Serves one connection until the client closes it.
    ///
    /// Errors end this connection only.
    private func serve(_ socket: consuming UnixSocket) {
        socket.setTimeout(milliseconds: 30_000)
        guard socket.peerUserID == getuid() else {
            self.log.write("refused a connection from uid \(socket.peerUserID.map(String.init) ?? "unknown")")
            return
        }
        while true {
            let message: [UInt8]?
            do {
                message = try socket.receive()
            } catch {
                self.log.write("connection: \(error)")
                return
            }
            guard let message else { return }
            let response: Response
            do {
                let request = try Request.decode(message)
                response = self.handle(request)
            } catch {
                response = .error(code: WireErrorCode.badRequest, message: error.description)
            }
            self.lastActivity.store(MonotonicClock.now(), ordering: .relaxed)
            // A client that does not wait for replies (it sends CachePut and exits) may have closed already: keep
            // reading, so the requests it sent are still served.
            try? socket.send(response.encode())
        }
    }
}
