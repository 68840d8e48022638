import Glibc
import HoardCore
import HoardWire

/// `hoard --show-stats` and the other options that are not a compile: a hand-written switch, so the compile path
/// never pays for an argument parser.
enum AdminCommand {
    static let usage = """
        usage: hoard COMPILER [ARGUMENTS...]      compile through the cache
               hoard OPTION

        Options:
          -s, --show-stats [--json]   show statistics (as JSON with --json)
          -z, --zero-stats            reset statistics
          -C, --clear                 remove every cache entry
              --start-server          start the daemon for this cache directory
              --stop-server           stop it
              --hash-file FILE        print the BLAKE3 digest of FILE
          -V, --version               print the version
          -h, --help                  print this help

        Compiler names: a symlink to hoard named gcc, g++, cc, c++, clang or clang++ runs the next
        compiler of that name on PATH through the cache. Settings: HOARD_DIR, HOARD_CACHE_SIZE,
        HOARD_DISABLE, HOARD_RECACHE, HOARD_LOG, HOARD_IDLE_TIMEOUT or $XDG_CONFIG_HOME/hoard/config.toml
        (see docs/configuration.md).

        """

    static func printUsage(to descriptor: Int32) {
        try? FileSystem.writeAll(Array(self.usage.utf8), to: descriptor)
    }

    /// Runs an administrative command.
    ///
    /// - Parameters:
    ///   - arguments: the options.
    ///   - configuration: the settings.
    /// - Returns: the exit status.
    static func run(_ arguments: [String], configuration: Configuration) -> Int32 {
        switch arguments[0] {
        case "-V", "--version":
            print("hoard \(hoardVersion)")
            return 0
        case "-h", "--help":
            self.printUsage(to: 1)
            return 0
        case "-s", "--show-stats":
            let json = arguments.dropFirst().contains("--json")
            guard case .stats(let stats)? = self.request(.getStats, configuration) else { return 1 }
            print(json ? StatsReport.json(stats) : StatsReport.table(stats), terminator: json ? "\n" : "")
            return 0
        case "-z", "--zero-stats":
            guard case .ok? = self.request(.zeroStats, configuration) else { return 1 }
            print("Statistics zeroed")
            return 0
        case "-C", "--clear":
            guard case .ok? = self.request(.clear, configuration) else { return 1 }
            print("Cache cleared")
            return 0
        case "--start-server":
            guard self.request(.getStats, configuration) != nil else { return 1 }
            print("Daemon running for \(configuration.cacheDirectory)")
            return 0
        case "--stop-server":
            return self.stopServer(configuration)
        case "--hash-file":
            guard arguments.count == 2 else { return self.fail("--hash-file needs one FILE") }
            return self.hashFile(arguments[1])
        default:
            return self.fail("unknown option \(arguments[0]) (see hoard --help)")
        }
    }

    private static func request(_ request: Request, _ configuration: Configuration) -> Response? {
        do {
            let client = try DaemonClient.connect(configuration)
            return try client.request(request)
        } catch {
            _ = self.fail("cannot reach the daemon: \(error)")
            return nil
        }
    }

    private static func stopServer(_ configuration: Configuration) -> Int32 {
        do {
            guard let client = try? DaemonClient.connect(configuration, autoStart: false) else {
                print("No daemon running for \(configuration.cacheDirectory)")
                return 0
            }
            _ = try? client.request(.shutdown)
        }
        let location = DaemonLocation(cacheDirectory: configuration.cacheDirectory)
        for _ in 0..<500 {
            // A daemon removes its lock file as it exits; one killed leaves it, unlocked.
            let lock = open(location.daemonLockPath, O_RDWR | O_CLOEXEC)
            let free = lock < 0 ? errno == ENOENT : flock(lock, LOCK_EX | LOCK_NB) == 0
            if lock >= 0 { close(lock) }
            if free {
                print("Daemon stopped")
                return 0
            }
            usleep(10_000)
        }
        return self.fail("the daemon did not stop within 5 s")
    }

    private static func hashFile(_ path: String) -> Int32 {
        do {
            print("\(Hex.encode(try FileSystem.digest(of: path)))  \(path)")
            return 0
        } catch {
            return self.fail("cannot hash \(path): \(error)")
        }
    }

    private static func fail(_ message: String) -> Int32 {
        try? FileSystem.writeAll(Array("hoard: \(message)\n".utf8), to: 2)
        return 1
    }
}
