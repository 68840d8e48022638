import Glibc
import HoardCore

/// The `hoard` entry point: a compile through the cache, or an administrative command.
public enum ClientMain {
    /// Runs the client and exits.
    public static func run() -> Never {
        let started = MonotonicClock.now()
        let startedWall = WallClock.now()
        let argv = CommandLine.arguments
        let invokedAs = Path.baseName(of: argv.first ?? "hoard")
        let configuration = Configuration.load()
        for problem in configuration.problems {
            try? FileSystem.writeAll(Array((problem + "\n").utf8), to: 2)
        }
        let log = ClientLog(path: configuration.logFile)

        let compilerName: String
        let arguments: [String]
        if invokedAs == "hoard" || invokedAs.hasPrefix("hoard-") {
            guard argv.count > 1 else {
                AdminCommand.printUsage(to: 2)
                exit(2)
            }
            if argv[1].hasPrefix("-") {
                exit(AdminCommand.run(Array(argv.dropFirst()), configuration: configuration))
            }
            compilerName = argv[1]
            arguments = Array(argv.dropFirst(2))
        } else {
            // Masquerade: a symlink named after the compiler.
            compilerName = invokedAs
            arguments = Array(argv.dropFirst())
        }
        guard let compiler = CompilerLocator.locate(compilerName, path: Environment.value("PATH")) else {
            let message = "hoard: cannot find the compiler \(compilerName) (other than hoard itself) on PATH\n"
            try? FileSystem.writeAll(Array(message.utf8), to: 2)
            exit(127)
        }
        let session = CompileSession(
            compilerPath: compiler.path,
            compilerRealPath: compiler.realPath,
            compilerStamp: compiler.stamp,
            compilerName: compilerName.contains("/") ? compilerName : compiler.path,
            arguments: arguments,
            configuration: configuration,
            log: log,
            started: started,
            startedWall: startedWall
        )
        if configuration.isDisabled { session.execCompiler() }
        session.run()
    }
}
