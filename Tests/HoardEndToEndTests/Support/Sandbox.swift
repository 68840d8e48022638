import Foundation
import Testing

/// The result of running a command.
struct CommandResult {
    var status: Int32
    var stdout: Data
    var stderr: Data
    var terminatedBySignal: Bool

    var stdoutText: String { String(decoding: self.stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: self.stderr, as: UTF8.self) }
}

/// The built `hoard` and `hoardd`: `HOARD_BIN_DIR`, else `.build/release` when it has both, else `.build/debug`.
enum Binaries {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let directory: String = {
        if let explicit = ProcessInfo.processInfo.environment["HOARD_BIN_DIR"] { return explicit }
        for configuration in ["release", "debug"] {
            let candidate = packageRoot.appendingPathComponent(".build/\(configuration)").path
            if FileManager.default.isExecutableFile(atPath: candidate + "/hoard"),
                FileManager.default.isExecutableFile(atPath: candidate + "/hoardd")
            {
                return candidate
            }
        }
        return packageRoot.appendingPathComponent(".build/debug").path
    }()

    static var hoard: String { self.directory + "/hoard" }
    static var hoardd: String { self.directory + "/hoardd" }
}

/// A private world for one test.
///
/// Its own cache directory, runtime directory (so its own daemon), config home and scratch space; releasing it
/// stops its daemon.
final class Sandbox: Sendable {
    let root: URL
    var cacheDirectory: String { self.root.appendingPathComponent("cache").path }
    var work: URL { self.root.appendingPathComponent("work") }
    let environment: [String: String]

    init(_ name: String = "e2e") throws {
        self.root = URL(fileURLWithPath: "/tmp").appendingPathComponent("hoard-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            at: self.root.appendingPathComponent("work"),
            withIntermediateDirectories: true
        )
        try FileManager.default.createDirectory(
            at: self.root.appendingPathComponent("run"),
            withIntermediateDirectories: true
        )
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("HOARD_") && key != "HOARD_BIN_DIR" {
            environment[key] = nil
        }
        environment["HOARD_DIR"] = self.root.appendingPathComponent("cache").path
        environment["XDG_RUNTIME_DIR"] = self.root.appendingPathComponent("run").path
        environment["XDG_CONFIG_HOME"] = self.root.appendingPathComponent("config").path
        environment["HOARD_IDLE_TIMEOUT"] = "120"
        // Client and daemon decisions, for the message of a failed expectation (`logTail`).
        environment["HOARD_LOG"] = self.root.appendingPathComponent("hoard.log").path
        // Each compile waits for its store, so the next one can hit (tests of the background store unset it).
        environment["HOARD_WAIT_FOR_STORE"] = "1"
        environment["LC_ALL"] = "C"
        environment["TERM"] = "dumb"
        self.environment = environment
    }

    deinit {
        _ = try? self.run([Binaries.hoard, "--stop-server"])
        try? FileManager.default.removeItem(at: self.root)
    }

    /// Writes a file under `work/`.
    @discardableResult
    func write(_ relativePath: String, _ content: String) throws -> String {
        let url = self.work.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Opened close-on-exec: a descriptor leaked into a concurrently spawned child would make executing this
        // file (a fake compiler) fail with ETXTBSY.
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        let bytes = Array(content.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw POSIXError(.EIO)
        }
        return url.path
    }

    func read(_ relativePath: String) throws -> Data {
        try Data(contentsOf: self.work.appendingPathComponent(relativePath))
    }

    /// Runs a command in `work/` (or `directory`), killing it after `timeout` seconds.
    ///
    /// Uses `posix_spawn` and `waitpid` directly (through `env -C` for the directory): Foundation's `Process`
    /// sometimes missed child exits when many tests spawned at once.
    @discardableResult
    func run(
        _ arguments: [String],
        in directory: URL? = nil,
        environment extra: [String: String] = [:],
        timeout: TimeInterval = 300
    ) throws -> CommandResult {
        let environment = self.environment.merging(extra) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ["/usr/bin/env", "-C", (directory ?? self.work).path] + arguments
        Self.waitForFileClockTick()
        return try ChildProcess.run(argv, environment: environment, timeout: timeout)
    }

    /// Waits until the kernel's coarse clock, the one that stamps files, has passed the present: what the test
    /// wrote is then older than the command's start, as a build's sources are. (A compile refuses to store from a
    /// file changed at or after its start, read from that clock, and its ticks are published a little late.)
    static func waitForFileClockTick() {
        func nanoseconds(_ clock: clockid_t) -> Int64 {
            var time = timespec()
            clock_gettime(clock, &time)
            return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        }
        let present = nanoseconds(CLOCK_REALTIME)
        while nanoseconds(CLOCK_REALTIME_COARSE) <= present { usleep(500) }
    }

    /// Runs `hoard` with the given arguments.
    @discardableResult
    func hoard(
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws
        -> CommandResult
    {
        try self.run([Binaries.hoard] + arguments, in: directory, environment: environment)
    }

    /// Runs `hoard` with each argument list, all at once, and returns their exit statuses in order (-1 for one that
    /// could not be run, -2 for one still running after two minutes).
    func hoardAtOnce(_ commands: [[String]]) -> [Int32] {
        let group = DispatchGroup()
        let results = ResultBox(count: commands.count)
        for (index, arguments) in commands.enumerated() {
            group.enter()
            Thread.detachNewThread {
                results.set(index, (try? self.hoard(arguments))?.status ?? -1)
                group.leave()
            }
        }
        _ = group.wait(timeout: .now() + 120)
        return results.all
    }

    /// The daemon's statistics by name.
    func stats() throws -> [String: Any] {
        let result = try self.hoard(["--show-stats", "--json"])
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        else {
            let output = "stdout \(result.stdoutText.debugDescription), stderr \(result.stderrText.debugDescription)"
            let status = "status \(result.status) (signal: \(result.terminatedBySignal))"
            Issue.record("--show-stats --json failed: \(status), \(output)\n\(self.logTail())")
            return [:]
        }
        return object
    }

    func stat(_ name: String) throws -> Int {
        try self.stats()[name] as? Int ?? -1
    }

    /// Hits of either kind.
    func hits() throws -> Int {
        let stats = try self.stats()
        return (stats["direct_hits"] as? Int ?? 0) + (stats["preprocessed_hits"] as? Int ?? 0)
    }

    /// Waits until the daemon has stored `count` entries (puts are asynchronous), at most 10 s.
    func waitForStores(_ count: Int) throws {
        for _ in 0..<200 {
            if try self.stat("stores") >= count { return }
            usleep(50_000)
        }
        Issue.record("the daemon stored fewer than \(count) entries within 10 s\n\(self.logTail())")
    }

    /// The end of the client and daemon log, to explain a failed expectation.
    func logTail(lines: Int = 30) -> String {
        let log = (try? String(contentsOf: self.root.appendingPathComponent("hoard.log"), encoding: .utf8)) ?? ""
        return "log:\n" + log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// The pids of daemons serving this sandbox's cache directory.
    func daemonPIDs() throws -> [Int32] {
        let result = try self.run(["pgrep", "-f", "hoardd --cache-dir \(self.cacheDirectory) "])
        return result.stdoutText.split(separator: "\n").compactMap { Int32($0) }
    }
}

/// A child process with captured output and a deadline.
enum ChildProcess {
    /// Serializes pipe creation and spawning, so no concurrently spawned child inherits another's pipe before it is
    /// marked close-on-exec (a long-lived inheritor, such as a daemon, would keep the pipe open forever).
    static let spawnLock = NSLock()

    static func run(_ argv: [String], environment: [String], timeout: TimeInterval) throws -> CommandResult {
        self.spawnLock.lock()
        var locked = true
        defer { if locked { self.spawnLock.unlock() } }
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw POSIXError(.EMFILE) }
        for descriptor in outPipe + errPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var pid = pid_t()
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in cArguments + cEnvironment { free(pointer) }
        }
        // No blocked signals in the child: test threads block most signals, and servers started from them must
        // still stop on SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let status = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
        close(outPipe[1])
        close(errPipe[1])
        self.spawnLock.unlock()
        locked = false
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .ENOENT)
        }
        var captured = [Data(), Data()]
        var fds = [
            pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
            pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0),
        ]
        let deadline = Date().addingTimeInterval(timeout)
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                Issue.record("timed out after \(timeout) s: \(argv.joined(separator: " "))")
                break
            }
            guard poll(&fds, 2, 100) > 0 else { continue }
            for index in 0..<2 where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if count <= 0 {
                    close(fds[index].fd)
                    fds[index].fd = -1
                    open -= 1
                } else {
                    captured[index].append(contentsOf: buffer[0..<count])
                }
            }
        }
        for fd in fds where fd.fd >= 0 { close(fd.fd) }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        let signal = waitStatus & 0x7f
        return CommandResult(
            status: signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal,
            stdout: captured[0],
            stderr: captured[1],
            terminatedBySignal: signal != 0
        )
    }
}

/// Exit statuses set from several threads.
final class ResultBox: @unchecked Sendable {
    // Guarded by `lock`.
    private var values: [Int32]
    private let lock = NSLock()

    init(count: Int) {
        self.values = Array(repeating: -2, count: count)
    }

    func set(_ index: Int, _ value: Int32) {
        self.lock.lock()
        self.values[index] = value
        self.lock.unlock()
    }

    var all: [Int32] {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.values
    }
}
