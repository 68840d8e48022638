#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum Termination: Equatable, Sendable {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Int32)

    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(signal)
        }
    }

    /// The status a shell would report: the exit status, or 128 plus the signal.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let status): status
        case .signaled(let signal): 128 + signal
        }
    }
}

/// What a finished child printed and how it ended.
public struct ProcessResult: Sendable {
    /// Its standard output.
    public var standardOutput: [UInt8]
    /// Its standard error.
    public var standardError: [UInt8]
    /// How it ended.
    public var termination: Termination
}

/// Runs child processes with `posix_spawn`: no Foundation, no fork of a large address space.
///
/// A non-zero exit status is a result, not an error; only a failure to start the child throws.
public enum ProcessRunner {
    /// What happens to the child's output.
    public enum OutputHandling: Sendable {
        /// Capture both streams.
        case capture
        /// Forward both streams to ours as they arrive, and capture them too; with `stripColor`, escape sequences
        /// are removed from the forwarded stderr (the captured copy keeps them).
        case forwardAndCapture(stripColor: Bool)
    }

    /// Runs `executable` with `arguments` (argv[0] included) and waits for it.
    ///
    /// - Parameters:
    ///   - executable: the path of the program.
    ///   - arguments: the full argv, argv[0] first.
    ///   - output: whether output is only captured or also forwarded.
    ///   - environment: `NAME=value` entries, or `nil` to inherit ours.
    /// - Returns: the captured output and how the child ended.
    /// - Throws: ``SystemError`` if the child could not be started.
    public static func run(
        _ executable: String,
        arguments: [String],
        output: OutputHandling,
        environment: [String]? = nil
    ) throws(SystemError) -> ProcessResult {
        try self.start(executable, arguments: arguments, environment: environment).finish(output: output)
    }

    /// A child started with its output going to pipes that nobody reads yet.
    ///
    /// The child runs while its parent does other work; it blocks only once it has written more than a pipe holds
    /// (64 KiB on Linux) before ``finish(output:)`` reads it.
    public struct Started: Sendable {
        /// The child's pid.
        public let pid: pid_t
        private let standardOutput: Int32
        private let standardError: Int32

        fileprivate init(pid: pid_t, standardOutput: Int32, standardError: Int32) {
            self.pid = pid
            self.standardOutput = standardOutput
            self.standardError = standardError
        }

        /// Reads the child's output to its end and waits for it.
        ///
        /// - Parameter output: whether output is only captured or also forwarded as it is read.
        /// - Returns: the captured output and how the child ended.
        public func finish(output: OutputHandling = .capture) -> ProcessResult {
            var forward = false
            var stripColor = false
            if case .forwardAndCapture(let strip) = output {
                forward = true
                stripColor = strip
            }
            let (standardOutput, standardError) = ProcessRunner.drain(
                self.standardOutput,
                self.standardError,
                forwardTo: forward ? (1, 2) : nil,
                stripColor: stripColor
            )
            close(self.standardOutput)
            close(self.standardError)
            let termination = ProcessRunner.wait(for: self.pid)
            return ProcessResult(
                standardOutput: standardOutput,
                standardError: standardError,
                termination: termination
            )
        }
    }

    /// Starts `executable` with `arguments` (argv[0] included), its standard output and error going to pipes that
    /// ``Started/finish(output:)`` reads.
    ///
    /// - Parameters:
    ///   - executable: the path of the program.
    ///   - arguments: the full argv, argv[0] first.
    ///   - environment: `NAME=value` entries, or `nil` to inherit ours.
    /// - Returns: the running child.
    /// - Throws: ``SystemError`` if the child could not be started.
    public static func start(
        _ executable: String,
        arguments: [String],
        environment: [String]? = nil
    ) throws(SystemError) -> Started {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { throw SystemError("pipe") }
        guard makePipe(&errPipe) else {
            close(outPipe[0])
            close(outPipe[1])
            throw SystemError("pipe")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let pid: pid_t
        do {
            pid = try self.spawn(executable, arguments: arguments, environment: environment, actions: &actions)
        } catch {
            for descriptor in outPipe + errPipe { close(descriptor) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        return Started(pid: pid, standardOutput: outPipe[0], standardError: errPipe[0])
    }

    /// Starts a child and returns its pid without waiting.
    ///
    /// - Parameters:
    ///   - executable: the path of the program.
    ///   - arguments: the full argv, argv[0] first.
    ///   - environment: `NAME=value` entries, or `nil` to inherit ours.
    ///   - actions: file actions to apply in the child.
    ///   - attributes: spawn attributes whose flags are used (such as `POSIX_SPAWN_SETSID`), or `nil`.
    /// - Returns: the child's pid.
    /// - Throws: ``SystemError`` if `posix_spawn` failed.
    public static func spawn(
        _ executable: String,
        arguments: [String],
        environment: [String]?,
        actions: inout posix_spawn_file_actions_t,
        attributes: UnsafePointer<posix_spawnattr_t>? = nil
    ) throws(SystemError) -> pid_t {
        var pid = pid_t()
        // Children start with no blocked signals, whatever thread spawns them: a mask inherited from a worker
        // thread would leave a compiler (or the daemon) deaf to SIGTERM and SIGINT. Dispositions are inherited
        // as usual (`nohup` keeps working).
        var cleanAttributes = posix_spawnattr_t()
        posix_spawnattr_init(&cleanAttributes)
        defer { posix_spawnattr_destroy(&cleanAttributes) }
        let extraFlags: Int16
        if let attributes {
            var flags: Int16 = 0
            posix_spawnattr_getflags(attributes, &flags)
            extraFlags = flags
        } else {
            extraFlags = 0
        }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&cleanAttributes, &empty)
        posix_spawnattr_setflags(&cleanAttributes, extraFlags | Int16(0x08))  // POSIX_SPAWN_SETSIGMASK
        let status = withCStrings(arguments) { argv in
            if let environment {
                return withCStrings(environment) { envp in
                    posix_spawn(&pid, executable, &actions, &cleanAttributes, argv, envp)
                }
            }
            return posix_spawn(&pid, executable, &actions, &cleanAttributes, argv, environ)
        }
        guard status == 0 else { throw SystemError("spawn \(executable)", errno: status) }
        return pid
    }

    /// Waits for a child, retrying on `EINTR`.
    ///
    /// - Parameter pid: the child.
    /// - Returns: how it ended.
    public static func wait(for pid: pid_t) -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .exited(127) }
        }
        return Termination(waitStatus: status)
    }

    /// Replaces this process with `executable`; returns only if that failed.
    ///
    /// - Parameters:
    ///   - executable: the path of the program.
    ///   - arguments: the full argv, argv[0] first.
    /// - Returns: the `errno` of the failed `execv`.
    public static func exec(_ executable: String, arguments: [String]) -> Int32 {
        _ = withCStrings(arguments) { argv in execv(executable, argv) }
        return errno
    }

    fileprivate static func drain(
        _ outDescriptor: Int32,
        _ errDescriptor: Int32,
        forwardTo targets: (Int32, Int32)?,
        stripColor: Bool
    ) -> ([UInt8], [UInt8]) {
        var stripper = ANSIStripper()
        var captured: [[UInt8]] = [[], []]
        var fds = [
            pollfd(fd: outDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: errDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var open = 2
        while open > 0 {
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in 0..<2 where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(fds[index].fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    fds[index].fd = -1
                    open -= 1
                    continue
                }
                captured[index].append(contentsOf: buffer[0..<count])
                if let targets {
                    if index == 1 && stripColor {
                        try? FileSystem.writeAll(stripper.filter(buffer[0..<count]), to: targets.1)
                    } else {
                        let target = index == 0 ? targets.0 : targets.1
                        buffer.withUnsafeBytes { raw in
                            try? FileSystem.writeAll(UnsafeRawBufferPointer(rebasing: raw[0..<count]), to: target)
                        }
                    }
                }
            }
        }
        return (captured[0], captured[1])
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
///
/// - Parameters:
///   - strings: the strings.
///   - body: receives the array; it is valid only during the call.
/// - Returns: what `body` returns.
public func withCStrings<R>(
    _ strings: [String],
    _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R
) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer {
        for pointer in pointers { free(pointer) }
    }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        // The buffer always holds at least the terminating nil, so its base address exists.
        guard let base = buffer.baseAddress else { preconditionFailure("empty argv buffer") }
        return body(base)
    }
}

/// Creates a pipe whose ends are closed on exec; a child gets an end only through its spawn's file actions.
public func makePipe(_ descriptors: inout [Int32]) -> Bool {
    guard pipe(&descriptors) == 0 else { return false }
    for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    return true
}
