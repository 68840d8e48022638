import Glibc

/// Where the daemon for a cache directory listens: one daemon per user and cache directory.
///
/// The socket lives in a 0700 directory owned by the user: `$XDG_RUNTIME_DIR/hoard` if set, else
/// `/tmp/hoard-<uid>`. Its name is a digest of the cache directory, so two cache directories get two daemons.
public struct DaemonLocation: Equatable, Sendable {
    /// The directory holding the socket and lock files (mode 0700).
    public var directory: String
    /// The socket.
    public var socketPath: String
    /// Taken by a client while it starts the daemon, so that only one starts it.
    public var startLockPath: String
    /// Held by the running daemon for its whole life, so that a second daemon exits at once.
    public var daemonLockPath: String
    /// What names this cache directory's files here.
    private var name: String

    /// Computes the location for a cache directory.
    ///
    /// - Parameters:
    ///   - cacheDirectory: the absolute cache directory.
    ///   - environment: looks up `XDG_RUNTIME_DIR`.
    public init(cacheDirectory: String, environment: (String) -> String? = Environment.value) {
        let base: String
        if let runtime = environment("XDG_RUNTIME_DIR"), runtime.hasPrefix("/"), FileSystem.isDirectory(runtime) {
            base = runtime + "/hoard"
        } else {
            base = "/tmp/hoard-\(getuid())"
        }
        var hasher = BLAKE3()
        hasher.update(cacheDirectory)
        let name = Hex.encode(hasher.finalize(count: 8))
        self.name = name
        self.directory = base
        self.socketPath = "\(base)/\(name).sock"
        self.startLockPath = "\(base)/\(name).start.lock"
        self.daemonLockPath = "\(base)/\(name).daemon.lock"
    }

    /// The lock taken by the one client that works out `answer` (a compiler's identity or a fact about it) while
    /// others wait for it: at the start of a parallel build, every job would otherwise ask the compiler at once.
    public func answerLockPath(for answer: String) -> String {
        var hasher = BLAKE3()
        hasher.update(answer)
        return "\(self.directory)/\(self.name).answer-\(Hex.encode(hasher.finalize(count: 8))).lock"
    }

    /// Creates the directory with mode 0700 and checks that it belongs to us and nobody else can enter it.
    ///
    /// - Throws: ``SystemError`` if it cannot be created or is not private.
    public func preparePrivateDirectory() throws(SystemError) {
        if mkdir(self.directory, 0o700) != 0 && errno != EEXIST {
            throw SystemError("mkdir \(self.directory)")
        }
        var status = stat()
        guard lstat(self.directory, &status) == 0 else { throw SystemError("stat \(self.directory)") }
        guard status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else {
            throw SystemError("\(self.directory) is not a directory owned by us", errno: EPERM)
        }
        if status.st_mode & 0o077 != 0 && chmod(self.directory, 0o700) != 0 {
            throw SystemError("chmod 0700 \(self.directory)")
        }
    }
}
