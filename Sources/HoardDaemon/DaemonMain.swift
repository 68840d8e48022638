import Glibc
import HoardCore

/// The `hoardd` command line.
///
/// `hoardd [--cache-dir DIR] [--socket PATH] [--max-size BYTES] [--idle-timeout SECONDS] [--log FILE]
/// [--ready-fd N]`; settings not given come from the environment and config file, as for `hoard`.
public enum DaemonMain {
    /// Parses the arguments, runs the daemon and exits.
    public static func run() -> Never {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var configuration = Configuration.load()
        var socketPath: String?
        var readyDescriptor: Int32?
        var index = 0
        func fail(_ message: String) -> Never {
            let line = "hoardd: \(message)\n"
            try? FileSystem.writeAll(Array(line.utf8), to: 2)
            exit(2)
        }
        while index < arguments.count {
            let name = arguments[index]
            if name == "--version" {
                print("hoardd \(hoardVersion)")
                exit(0)
            }
            if name == "--help" {
                print(
                    "usage: hoardd [--cache-dir DIR] [--socket PATH] [--max-size BYTES] [--idle-timeout SECONDS]"
                        + " [--log FILE] [--ready-fd N]"
                )
                exit(0)
            }
            guard index + 1 < arguments.count else { fail("\(name) needs a value") }
            let value = arguments[index + 1]
            switch name {
            case "--cache-dir":
                guard value.hasPrefix("/") else { fail("--cache-dir must be absolute") }
                configuration.cacheDirectory = Path.normalize(value)
            case "--socket":
                socketPath = value
            case "--max-size":
                guard let size = UInt64(value) else { fail("--max-size: expected bytes") }
                configuration.maximumSize = size
            case "--idle-timeout":
                guard let seconds = UInt64(value) else { fail("--idle-timeout: expected seconds") }
                configuration.idleTimeoutSeconds = seconds
            case "--log":
                configuration.logFile = value.isEmpty ? nil : value
            case "--ready-fd":
                guard let descriptor = Int32(value), descriptor > 2 else {
                    fail("--ready-fd: expected a descriptor above 2")
                }
                readyDescriptor = descriptor
            default:
                fail("unknown option \(name)")
            }
            index += 2
        }
        var options = Daemon.Options(configuration: configuration)
        options.readyDescriptor = readyDescriptor
        if let socketPath, socketPath != options.socketPath {
            options.socketPath = socketPath
            options.daemonLockPath = socketPath + ".daemon.lock"
            options.startLockPath = nil
        }
        do {
            let daemon = try Daemon(options: options)
            exit(daemon.run())
        } catch {
            fail("\(error)")
        }
    }
}
