import Glibc
import HoardCore
import HoardWire

/// The client's connection to the daemon, started on demand.
///
/// Synchronous: one request, one response, with bounded timeouts everywhere.
final class DaemonClient {
    private let socket: UnixSocket
    /// The reply to Hello has not been read yet.
    private var helloPending = true

    private init(socket: consuming UnixSocket) {
        self.socket = socket
    }

    /// Why a connection could not be made.
    enum ConnectError: Error {
        /// Nothing listens and starting the daemon failed or timed out.
        case unreachable(String)
    }

    /// Connects to the daemon for `configuration`, starting it if needed, and exchanges `Hello`.
    ///
    /// - Parameters:
    ///   - configuration: the settings (cache directory, limits).
    ///   - autoStart: start the daemon if none is running.
    /// - Returns: a ready connection.
    /// - Throws: ``ConnectError``.
    static func connect(_ configuration: Configuration, autoStart: Bool = true) throws(ConnectError) -> DaemonClient {
        let location = DaemonLocation(cacheDirectory: configuration.cacheDirectory)
        var socket: UnixSocket
        do {
            socket = try UnixSocket.connect(to: location.socketPath)
        } catch {
            guard autoStart else { throw .unreachable("no daemon: \(error)") }
            socket = try self.startDaemon(configuration, location: location)
        }
        socket.setTimeout(milliseconds: 10_000)
        let client = DaemonClient(socket: socket)
        // Hello goes out now; its reply is read with the first request's, saving a round trip.
        do {
            try client.socket.send(
                Request.hello(protocolVersion: wireProtocolVersion, clientVersion: hoardVersion).encode()
            )
        } catch {
            throw .unreachable("hello failed: \(error)")
        }
        return client
    }

    /// Sends a request and waits for its response.
    ///
    /// - Parameter request: the request.
    /// - Returns: the response.
    /// - Throws: ``SystemError`` if the connection broke, the reply was malformed, or the daemon speaks another
    ///   protocol version (an older daemon is asked to exit, so the next compile starts a current one).
    func request(_ request: Request) throws(SystemError) -> Response {
        try self.socket.send(request.encode())
        if self.helloPending {
            self.helloPending = false
            guard case .hello(let version, _, _) = try self.receive() else {
                throw SystemError("unexpected reply to hello", errno: EPROTO)
            }
            if version != wireProtocolVersion {
                if version < wireProtocolVersion {
                    try? self.socket.send(Request.shutdown.encode())
                }
                throw SystemError("daemon speaks protocol \(version), not \(wireProtocolVersion)", errno: EPROTO)
            }
        }
        return try self.receive()
    }

    private func receive() throws(SystemError) -> Response {
        guard let message = try self.socket.receive() else {
            throw SystemError("daemon closed the connection", errno: ECONNRESET)
        }
        do {
            return try Response.decode(message)
        } catch {
            throw SystemError("bad reply: \(error.message)", errno: EPROTO)
        }
    }

    /// Sends a request without waiting for the response (a put the client does not wait for).
    func post(_ request: Request) throws(SystemError) {
        try self.socket.send(request.encode())
    }

    /// Starts the daemon under the start lock, so fifty clients starting at once yield one daemon.
    private static func startDaemon(
        _ configuration: Configuration,
        location: DaemonLocation
    ) throws(ConnectError)
        -> UnixSocket
    {
        do {
            try location.preparePrivateDirectory()
        } catch {
            throw .unreachable("\(error)")
        }
        let deadline = MonotonicClock.now() + 10_000_000_000
        let lock = try Self.takeLock(location.startLockPath, until: deadline)
        defer { close(lock) }
        // Another client may have started it while we waited.
        if let socket = try? UnixSocket.connect(to: location.socketPath) { return socket }
        guard let daemonPath = self.daemonExecutable() else { throw .unreachable("hoardd not found beside hoard") }
        var arguments = [
            daemonPath,
            "--cache-dir", configuration.cacheDirectory,
            "--socket", location.socketPath,
            "--max-size", String(configuration.maximumSize),
            "--idle-timeout", String(configuration.idleTimeoutSeconds),
        ]
        if let log = configuration.logFile { arguments += ["--log", log] }
        // A daemon that finds the daemon lock held exits at once: either another daemon won a race (its socket
        // appears soon) or a killed daemon is still being torn down (it lets go of the lock soon). So a daemon that
        // exits without a socket appearing is started again, a few times, until the deadline.
        var attempts = 0
        while MonotonicClock.now() < deadline {
            attempts += 1
            // The daemon writes a byte to descriptor 3 once it listens, or exits (closing it) without listening.
            var ready: [Int32] = [-1, -1]
            guard makePipe(&ready) else { throw .unreachable("pipe") }
            let pid: pid_t
            do {
                pid = try self.spawnDaemon(daemonPath, arguments: arguments + ["--ready-fd", "3"], ready: ready[1])
            } catch {
                close(ready[0])
                close(ready[1])
                throw error
            }
            close(ready[1])
            let remaining = Int32(clamping: (deadline - min(deadline, MonotonicClock.now())) / 1_000_000)
            let signalled = Self.waitForByte(ready[0], timeoutMilliseconds: remaining)
            close(ready[0])
            if signalled, let socket = try? UnixSocket.connect(to: location.socketPath) { return socket }
            var delay: UInt32 = 500
            var exitedAt: UInt64?
            while MonotonicClock.now() < deadline {
                if let socket = try? UnixSocket.connect(to: location.socketPath) { return socket }
                var status: Int32 = 0
                if exitedAt == nil && waitpid(pid, &status, WNOHANG) == pid { exitedAt = MonotonicClock.now() }
                if let exitedAt, MonotonicClock.now() - exitedAt > 200_000_000 { break }
                usleep(delay)
                delay = min(delay * 2, 20_000)
            }
            guard attempts < 5 else { break }
        }
        throw .unreachable("the daemon did not start within 10 s")
    }

    /// Takes the lock at `path`, trying every 0.25 ms until `deadline` (monotonic nanoseconds).
    private static func takeLock(_ path: String, until deadline: UInt64) throws(ConnectError) -> Int32 {
        let held: Int32?
        do {
            held = try LockFile.lock(path, until: deadline)
        } catch {
            throw .unreachable("\(error)")
        }
        guard let held else { throw .unreachable("timed out waiting for \(path)") }
        return held
    }

    /// Waits until `descriptor` yields a byte (`true`), or its end, an error or the timeout (`false`).
    private static func waitForByte(_ descriptor: Int32, timeoutMilliseconds: Int32) -> Bool {
        var byte: UInt8 = 0
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&waiting, 1, timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            return read(descriptor, &byte, 1) == 1
        }
    }

    /// Spawns `hoardd` in a session of its own, with /dev/null for its standard descriptors and `ready` as its
    /// descriptor 3.
    private static func spawnDaemon(
        _ daemonPath: String,
        arguments: [String],
        ready: Int32
    ) throws(ConnectError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // First, before the standard descriptors are replaced (`ready` may be one of them if ours were closed); if
        // `ready` is 3 already, `dup2` onto itself clears close-on-exec (glibc 2.29+).
        posix_spawn_file_actions_adddup2(&actions, ready, 3)
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(
                &actions,
                descriptor,
                "/dev/null",
                descriptor == 0 ? O_RDONLY : O_WRONLY,
                0
            )
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26+): the daemon gets its own session, immune to the build's Ctrl-C.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        do {
            return try ProcessRunner.spawn(
                daemonPath,
                arguments: arguments,
                environment: nil,
                actions: &actions,
                attributes: &attributes
            )
        } catch {
            throw .unreachable("\(error)")
        }
    }

    /// `HOARD_DAEMON`, or `hoardd` in the directory of this executable.
    private static func daemonExecutable() -> String? {
        if let explicit = Environment.value("HOARD_DAEMON"), FileSystem.isExecutableFile(explicit) { return explicit }
        guard let me = FileSystem.executablePath() else { return nil }
        let candidate = Path.directory(of: me) + "/hoardd"
        return FileSystem.isExecutableFile(candidate) ? candidate : nil
    }
}
