import Glibc
import HoardCore
import HoardWire

/// One compile through the cache: classify → key → look up → run → store → count.
///
/// Every path ends in the compiler's own result: a cache problem falls back to running the compiler, and the
/// process exits with the compiler's status (or dies of the compiler's signal).
struct CompileSession {
    /// The path of the real compiler.
    let compilerPath: String
    /// The file it resolves to (symbolic links followed): the compiler's identity is cached under it.
    let compilerRealPath: String
    /// That file's stamp when the client started, or `nil` if it could not be read: names its identity and facts.
    let compilerStamp: FileStamp?
    /// The compiler's name as the build invoked it (its argv[0]).
    let compilerName: String
    /// The arguments after the compiler, exactly as given.
    let arguments: [String]
    /// The settings.
    let configuration: Configuration
    /// The client's log.
    let log: ClientLog
    /// When the client started, for the hit and miss timings.
    let started: UInt64
    /// When the client started, on the wall clock: inputs modified since are too new to store.
    let startedWall: Int64

    /// Runs the compile and exits.
    func run() -> Never {
        if self.isRustCompiler { self.runRust() }
        let expanded: [String]
        do {
            expanded = try ResponseFile.expand(self.arguments)
        } catch {
            self.log.write("response file: \(error)")
            self.runUncached(counting: .unreadableResponseFile)
        }
        switch ArgumentClassifier.classify(expanded) {
        case .notACompilation:
            self.runUncached(counting: .notACompilation)
        case .uncacheable(let reason, let detail):
            self.log.write("not cacheable (\(reason.name)): \(detail)")
            self.runUncached(counting: reason)
        case .cacheable(let invocation):
            self.runCacheable(invocation)
        }
    }

    private func runCacheable(_ invocation: CompileInvocation) -> Never {
        let workingDirectory = FileSystem.currentDirectory()
        guard FileSystem.isRegularFile(invocation.sourcePath) else {
            self.runUncached(counting: .missingSourceFile)
        }
        let daemon = self.connectOrRunCompiler()
        guard let identity = self.compilerIdentity(daemon) else {
            self.runUncached(counting: .unknownCompiler, daemon: daemon)
        }

        var hasher = CacheKeyHasher()
        let base = BaseDirectories(
            self.configuration.baseDirectories,
            workingDirectory: workingDirectory,
            arguments: invocation.arguments,
            debugInfo: invocation.dependsOnWorkingDirectory
        )
        let context = KeyContext(
            identity: identity,
            driverName: Path.baseName(of: self.compilerName),
            workingDirectory: workingDirectory,
            baseDirectories: base
        )
        do {
            try CompileKey.hashCommonFields(of: invocation, context: context, into: &hasher)
        } catch {
            self.log.write("key input: \(error.detail)")
            self.runUncached(counting: error.statistic, daemon: daemon)
        }
        let outputs = Self.wireOutputs(invocation.outputs, workingDirectory: workingDirectory)

        // Direct mode: the source and the recorded includes, checked by the daemon in one round trip.
        var direct: DirectLookup?
        if self.configuration.directMode && !invocation.language.skipsPreprocessor {
            guard let source = try? FileSystem.read(invocation.sourcePath) else {
                self.runUncached(counting: .missingSourceFile, daemon: daemon)
            }
            let wantsDependencies = invocation.outputs.contains { $0.role == .dependencies }
            // `-MMD` leaves system headers out of the dependency file: their changes would go unseen, so such a
            // compile keeps the preprocessor on a miss.
            let depend =
                wantsDependencies
                ? !invocation.arguments.contains("-MMD")
                    && (self.configuration.dependMode || !self.configuration.preprocessOnMiss)
                : !self.configuration.preprocessOnMiss && Self.canAddDependencyFile(invocation, identity: identity)
            var manifestHasher = hasher
            manifestHasher.combine("mode", depend ? "depend" : "direct")
            manifestHasher.combine("source", bytes: source)
            let lookup = DirectLookup(
                manifestKey: manifestHasher.finalize(),
                sourceFindings: SourceFindings.scan(source),
                sourceStamp: FileSystem.stamp(of: invocation.sourcePath),
                depend: depend,
                addsDependencyFile: depend && !wantsDependencies,
                base: base,
                sourcePath: invocation.sourcePath,
                sourceQueries: HasIncludeQueries(source)
            )
            direct = lookup
            if !self.configuration.recache
                && self.fetchDirect(
                    manifestKey: lookup.manifestKey,
                    workingDirectory: workingDirectory,
                    outputs: outputs,
                    daemon: daemon,
                    source: invocation.sourcePath,
                    colors: ColorTreatment(invocation)
                )
            {
                exit(0)
            }
            if lookup.depend {
                // Depend mode: no preprocessor; the compile itself tells which headers it read.
                self.record([.requests, self.configuration.recache ? .recaches : .misses], daemon: daemon)
                let dependencyFile =
                    lookup.addsDependencyFile
                    ? nil
                    : invocation.outputs.first { $0.role == .dependencies }.map { Path.join(workingDirectory, $0.path) }
                // What refuses a store is known before the compile; otherwise the include search list is asked of
                // the daemon once the compiler runs, and of the compiler, alongside, if the daemon does not know it.
                let refusal = self.storeRefusal(direct: lookup, includes: [])
                var searchPath = SearchPathProbe.unavailable
                self.compileAndStore(
                    colors: ColorTreatment(invocation),
                    key: nil,
                    outputs: outputs,
                    workingDirectory: workingDirectory,
                    dependencyFile: dependencyFile,
                    addingDependencyFileFor: lookup.addsDependencyFile
                        ? Path.absolute(invocation.objectPath, relativeTo: workingDirectory) : nil,
                    whileCompiling: {
                        guard refusal == nil else { return }
                        // A probe of ours is waited for now, beside the compiler, and its answer given to the daemon,
                        // so that other jobs waiting for it need not wait for this compile as well.
                        searchPath = self.settleSearchPathProbe(
                            self.startSearchPathProbe(invocation, workingDirectory: workingDirectory, daemon: daemon),
                            daemon: daemon
                        )
                    }
                ) { dependencies in
                    if let refusal { return .refused(refusal) }
                    if self.sourceChanged(lookup.sourcePath, since: lookup.sourceStamp) {
                        return .refused(.inputsChangedBeforeStore)
                    }
                    return self.dependManifest(
                        lookup,
                        dependencies: dependencies,
                        invocation: invocation,
                        workingDirectory: workingDirectory,
                        searchPath: self.finishSearchPathProbe(searchPath, daemon: daemon)
                    )
                }
            }
        }

        // Preprocessor mode. The source as the lookup read it, or as it is before the preprocessor reads it.
        let sourceStamp = direct.map { $0.sourceStamp } ?? FileSystem.stamp(of: invocation.sourcePath)
        var preprocessed: ProcessResult?
        var preprocessorCommand: [String] = []
        var learn: CompilerFact?
        var pinnedDirectory = ""
        if invocation.language.skipsPreprocessor {
            guard let source = try? FileSystem.read(invocation.sourcePath) else {
                self.runUncached(counting: .missingSourceFile, daemon: daemon)
            }
            hasher.combine("source", bytes: source)
        } else {
            let verbose = direct != nil ? ["-v"] : []
            preprocessorCommand = [self.compilerName] + invocation.preprocessorArguments + verbose
            let result: ProcessResult
            do {
                // With `-v` for a manifest, its search list is parsed: in English.
                (result, learn) = try self.preprocess(
                    preprocessorCommand,
                    identity: identity,
                    workingDirectory: workingDirectory,
                    daemon: daemon,
                    environment: direct != nil ? Environment.withUntranslatedMessages() : nil
                )
            } catch {
                self.log.write("preprocessor: \(error)")
                self.runUncached(counting: .internalErrors, daemon: daemon)
            }
            guard result.termination == .exited(0) else {
                self.runUncached(counting: .preprocessorFailures, daemon: daemon)
            }
            let (text, dependsOnLocation) = base.rewritePreprocessed(result.standardOutput)
            hasher.combine("preprocessed", bytes: text)
            if dependsOnLocation {
                // A base-directory path survives in the text (`__FILE__`, say): this result belongs to this checkout.
                hasher.combine("output names the checkout at", workingDirectory)
                pinnedDirectory = workingDirectory
            }
            preprocessed = result
        }
        let key = hasher.finalize()
        var outcome = ManifestOutcome.none
        if let direct, let preprocessed {
            outcome = self.manifestRecord(
                direct,
                invocation: invocation,
                resultKey: key,
                preprocessed: preprocessed,
                workingDirectory: workingDirectory,
                pinnedDirectory: pinnedDirectory
            )
        }

        if self.fetchResult(
            key: key,
            workingDirectory: workingDirectory,
            outputs: outputs,
            daemon: daemon,
            source: invocation.sourcePath,
            colors: ColorTreatment(invocation)
        ) {
            switch outcome {
            case .record(let record): _ = try? daemon.request(.manifestPut(record))
            case .refused(let statistic), .resultOnly(let statistic): self.record([statistic], daemon: daemon)
            case .none: break
            }
            // This command line hits: the next preprocessor run for it can skip the driver.
            if let learn { self.learnPreprocessorCommand(preprocessorCommand, fact: learn, daemon: daemon) }
            exit(0)
        }
        self.compileAndStore(
            colors: ColorTreatment(invocation),
            key: key,
            outputs: outputs,
            workingDirectory: workingDirectory
        ) { _ in
            if self.sourceChanged(invocation.sourcePath, since: sourceStamp) {
                return .refused(.inputsChangedBeforeStore)
            }
            // Without direct mode no manifest brings the headers to the daemon again: one changed after the
            // preprocessor read it may have been compiled in its new form.
            if direct == nil, let preprocessed {
                for inclusion in LineMarkers(preprocessed.standardOutput).includedFiles {
                    if let stamp = FileSystem.stamp(of: inclusion.path), !self.isTooNew(stamp) { continue }
                    self.log.write("include \(inclusion.path) changed during the compile: nothing stored")
                    return .refused(.tooNewInput)
                }
            }
            return outcome
        }
    }

    /// Tells whether a miss may add `-MD -MF FILE` to the compile to learn its includes: gcc and clang leave the
    /// option out of the object, unless the command line is recorded in it whole.
    static func canAddDependencyFile(_ invocation: CompileInvocation, identity: CompilerIdentity) -> Bool {
        guard identity.family == .gcc || identity.family == .clang else { return false }
        let recordsCommandLine = ["-frecord-command-line", "-grecord-command-line", "-frecord-gcc-switches"]
        return !invocation.arguments.contains { recordsCommandLine.contains($0) }
    }

    /// A fresh path in /tmp for a dependency file the client reads and removes.
    static func scratchDependencyPath() -> String {
        FileSystem.temporaryPath(beside: "/tmp/hoard.d")
    }

    /// Connects to the daemon (starting it if needed); if it cannot be reached, counts that and runs the compiler.
    func connectOrRunCompiler() -> DaemonClient {
        do {
            return try DaemonClient.connect(self.configuration)
        } catch {
            self.log.write("daemon: \(error)")
            PendingStatistics.append(.daemonUnreachable, cacheDirectory: self.configuration.cacheDirectory)
            self.execCompiler()
        }
    }

    /// The outputs as the daemon takes them: absolute paths.
    static func wireOutputs(_ outputs: [OutputFile], workingDirectory: String) -> [WireOutput] {
        outputs.map { output in
            WireOutput(
                role: output.role.rawValue,
                path: Path.absolute(output.path, relativeTo: workingDirectory),
                flag: output.isOptional
            )
        }
    }

    /// The process's umask, which restored outputs get as a compile's would.
    static func currentUmask() -> mode_t {
        let mask = umask(0)
        umask(mask)
        return mask
    }

    /// Asks for the result stored under `key` (with `HOARD_RECACHE`, counts a recache instead).
    ///
    /// - Returns: `true` on a hit, whose outputs are restored and messages replayed: the caller then exits.
    func fetchResult(
        key: CacheKey,
        workingDirectory: String,
        outputs: [WireOutput],
        daemon: DaemonClient,
        source: String,
        colors: ColorTreatment
    ) -> Bool {
        if self.configuration.recache {
            self.record([.requests, .recaches], daemon: daemon)
            return false
        }
        return self.lookUp(
            .cacheGet(
                key: key.hex,
                workingDirectory: workingDirectory,
                outputs: outputs,
                umask: UInt32(Self.currentUmask()),
                elapsedMicroseconds: (MonotonicClock.now() - self.started) / 1000
            ),
            daemon: daemon,
            source: source,
            colors: colors,
            label: key.hex
        )
    }

    /// Asks for the result a manifest's matching entry names (direct mode); `environment` holds a rustc compile's
    /// variables as dep-info lines (``EnvironmentDependency``).
    ///
    /// - Returns: `true` on a hit, whose outputs are restored and messages replayed: the caller then exits.
    func fetchDirect(
        manifestKey: CacheKey,
        workingDirectory: String,
        outputs: [WireOutput],
        environment: [String] = [],
        daemon: DaemonClient,
        source: String,
        colors: ColorTreatment
    ) -> Bool {
        self.lookUp(
            .directGet(
                manifestKey: manifestKey.hex,
                workingDirectory: workingDirectory,
                outputs: outputs,
                umask: UInt32(Self.currentUmask()),
                elapsedMicroseconds: (MonotonicClock.now() - self.started) / 1000,
                environment: environment
            ),
            daemon: daemon,
            source: source,
            colors: colors,
            label: "direct \(manifestKey.hex)"
        )
    }

    /// Sends a lookup; on a hit, replays the output and returns `true` (the caller then exits).
    ///
    /// A connection lost in the middle of the request is counted, and the lookup asked again once on a new
    /// connection (a daemon is started if none runs); if that fails too, the compile goes on.
    private func lookUp(
        _ request: Request,
        daemon: DaemonClient,
        source: String,
        colors: ColorTreatment,
        label: String
    ) -> Bool {
        var reply = try? daemon.request(request)
        if reply == nil {
            // The daemon died since this client connected (killed, or being replaced): count it with the next
            // daemon, and ask that one.
            self.log.write("daemon connection lost during lookup: asking again on a new connection")
            self.recordWithNewConnection([.daemonConnectionLost])
            reply = (try? DaemonClient.connect(self.configuration)).flatMap { try? $0.request(request) }
        }
        switch reply {
        case .hit(let stdout, let stderr, let status):
            self.log.write("hit \(label) \(source)")
            self.replay(stdout: stdout, stderr: stderr, colors: colors)
            if status != 0 { exit(status) }
            return true
        case .miss, .error:
            self.log.write("miss \(label) \(source)")
        case nil:
            self.log.write("no daemon answered the lookup")
        default:
            self.log.write("unexpected reply to a lookup")
        }
        return false
    }

    /// Runs the compiler with output forwarded as it comes, then offers its outputs to the daemon.
    ///
    /// - Parameters:
    ///   - colors: how colour in diagnostics is handled.
    ///   - key: the result key, or `nil` in depend mode (the daemon derives it from the manifest).
    ///   - outputs: the outputs, with absolute paths.
    ///   - workingDirectory: the compile's working directory.
    ///   - dependencyFile: the dependency file the command line writes, read when the compile ends.
    ///   - object: the command line writes no dependency file: the object's path, to add one for (see
    ///     ``AddedDependencyFile``).
    ///   - whileCompiling: called once the compiler has started, before its output is read.
    ///   - manifest: called after a successful compile with the dependency file's content: what to record for
    ///     direct mode, or why to store nothing.
    func compileAndStore(
        colors: ColorTreatment,
        key: CacheKey?,
        outputs: [WireOutput],
        workingDirectory: String,
        dependencyFile: String? = nil,
        addingDependencyFileFor object: String? = nil,
        whileCompiling: () -> Void = {},
        manifest: (_ dependencies: [UInt8]?) -> ManifestOutcome
    ) -> Never {
        let before = outputs.map { FileSystem.stamp(of: $0.path) }
        // Like ccache: always ask for colour, store it, and strip it for a stderr that is not a colour terminal.
        var arguments = [self.compilerName] + self.arguments
        let added = object.map { AddedDependencyFile(beside: $0) }
        if let added { arguments += ["-MD", "-MF", added.path] }
        let stripColor = colors.stripWhenNotTerminal && !TerminalColor.stderrWantsColor()
        if let flag = colors.forcedFlag { arguments.append(flag) }
        let result: ProcessResult
        do {
            let started = try ProcessRunner.start(self.compilerPath, arguments: arguments)
            added?.keepFromLaterChildren()
            whileCompiling()
            result = started.finish(output: .forwardAndCapture(stripColor: stripColor))
        } catch {
            self.log.write("cannot run the compiler: \(error)")
            _ = added?.take()
            self.recordWithNewConnection([.internalErrors])
            self.execCompiler()
        }
        // Read now, and a file the client added removed now, before any of the exits below.
        let dependencies =
            added?.take() ?? dependencyFile.flatMap { try? FileSystem.read($0, limit: DependencyFile.sizeLimit) }
        switch result.termination {
        case .signaled(let signalNumber):
            self.recordWithNewConnection([.compilerKilled])
            dieOfSignal(signalNumber)
        case .exited(let status) where status != 0:
            self.recordWithNewConnection([.compileFailures])
            exit(status)
        case .exited:
            break
        }
        // The lookup counted this request; the counts below are outcomes of the same request.
        var stored: [WireOutput] = []
        for (index, output) in outputs.enumerated() {
            let stamp = FileSystem.stamp(of: output.path)
            let produced = stamp != nil && (stamp != before[index] || before[index] == nil)
            if !produced && !output.flag {
                self.log.write("compiler produced no \(output.path)")
                self.recordWithNewConnection([.compilerProducedNoOutput])
                exit(0)
            }
            var item = output
            item.flag = produced
            item.stamp = stamp ?? .absent
            stored.append(item)
        }
        var record: WireManifestRecord?
        switch manifest(dependencies) {
        case .refused(let statistic):
            self.log.write("not stored: \(statistic.name)")
            self.recordWithNewConnection([statistic])
            exit(0)
        case .record(let value):
            record = value
        case .resultOnly(let statistic):
            self.recordWithNewConnection([statistic])
            guard key != nil else { exit(0) }
        case .none:
            guard key != nil else { exit(0) }
        }
        let elapsed = (MonotonicClock.now() - self.started) / 1000
        let put = Request.cachePut(
            key: key?.hex ?? "",
            workingDirectory: workingDirectory,
            baseDirectories: self.configuration.baseDirectories,
            outputs: stored,
            stdout: result.standardOutput,
            stderr: result.standardError,
            exitStatus: 0,
            elapsedMicroseconds: elapsed,
            manifest: record
        )
        // A fresh connection: the lookup's may have timed out during a long compile. Not waiting for the reply.
        if let daemon = try? DaemonClient.connect(self.configuration, autoStart: false) {
            do {
                if self.configuration.waitForStore {
                    _ = try daemon.request(put)
                    _ = try daemon.request(.flushStores)
                } else {
                    try daemon.post(put)
                }
            } catch {
                self.log.write("put: \(error)")
            }
        }
        exit(0)
    }

    /// Writes a hit's stdout and stderr, removing colour the terminal would not get from the compiler.
    func replay(stdout: [UInt8], stderr: [UInt8], colors: ColorTreatment) {
        try? FileSystem.writeAll(stdout, to: 1)
        if colors.stripWhenNotTerminal && !TerminalColor.stderrWantsColor() {
            try? FileSystem.writeAll(ANSIStripper.strip(stderr), to: 2)
        } else {
            try? FileSystem.writeAll(stderr, to: 2)
        }
    }

    /// Returns the compiler's identity from the daemon's file for it, else from the daemon's cache, computing and
    /// storing it on a miss (one client at a time: the others wait for its answer).
    func compilerIdentity(_ daemon: DaemonClient) -> CompilerIdentity? {
        guard let stamp = self.compilerStamp else {
            return nil
        }
        if let known = self.knownCompilerIdentity(stamp: stamp, daemon: daemon) { return known }
        let lockPath = self.answerLockPath(for: "identity\u{0}\(self.compilerRealPath)\u{0}\(stamp.fields)")
        let lock: AnswerLock?
        switch AnswerLock.take(lockPath) {
        case .held(let held): lock = held
        case .busy: lock = AnswerLock.wait(lockPath)
        case .unavailable: lock = nil
        }
        defer { lock?.release() }
        // The holder before us may have just given it to the daemon.
        if let known = self.knownCompilerIdentity(stamp: stamp, daemon: daemon) { return known }
        return self.computeCompilerIdentity(stamp: stamp, daemon: daemon)
    }

    /// The compiler's identity from the daemon's file for it, else from the daemon's cache.
    private func knownCompilerIdentity(stamp: FileStamp, daemon: DaemonClient) -> CompilerIdentity? {
        let realPath = self.compilerRealPath
        let file = CompilerIdentityFile.path(for: realPath, cacheDirectory: self.configuration.cacheDirectory)
        if let bytes = try? FileSystem.read(file),
            let serialized = CompilerIdentityFile.identity(in: bytes, compilerPath: realPath, stamp: stamp),
            let identity = CompilerIdentity(serialized: serialized)
        {
            return identity
        }
        if case .compilerIdentity(let bytes?) = try? daemon.request(
            .compilerIdentityGet(path: realPath, stamp: stamp)
        ) {
            return CompilerIdentity(serialized: bytes)
        }
        return nil
    }

    /// Works out the compiler's identity (`--version` and its bytes) and gives it to the daemon.
    private func computeCompilerIdentity(stamp: FileStamp, daemon: DaemonClient) -> CompilerIdentity? {
        let realPath = self.compilerRealPath
        guard
            let versionRun = try? ProcessRunner.start(self.compilerPath, arguments: [self.compilerName, "--version"])
        else {
            return nil
        }
        // The compiler's bytes are read and hashed while it prints its version.
        var hasher = BLAKE3()
        let binary = try? FileSystem.read(realPath)
        if let binary { hasher.update(binary) }
        let version = versionRun.finish(output: .capture)
        guard
            binary != nil, version.termination == .exited(0),
            let family = CompilerFamily.detect(versionOutput: String(decoding: version.standardOutput, as: UTF8.self))
        else {
            return nil
        }
        hasher.update([0])
        hasher.update(version.standardOutput)
        if family == .rust {
            // rustc is a small driver: the compiler is librustc_driver and LLVM, and std comes precompiled.
            guard self.hashRustToolchain(into: &hasher) else { return nil }
        }
        let identity = CompilerIdentity(family: family, digest: Hex.encode(hasher.finalize()))
        _ = try? daemon.request(.compilerIdentityPut(path: realPath, stamp: stamp, identity: identity.serialized))
        return identity
    }

    /// The lock of the one client that works `answer` out for every client asking at the same time.
    func answerLockPath(for answer: String) -> String {
        DaemonLocation(cacheDirectory: self.configuration.cacheDirectory).answerLockPath(for: answer)
    }

    /// Counts `reason` and runs the compiler in place of this process.
    func runUncached(counting reason: Statistic, daemon: DaemonClient? = nil) -> Never {
        if let daemon {
            self.record([.requests, reason], daemon: daemon)
        } else {
            self.recordWithNewConnection([.requests, reason])
        }
        self.execCompiler()
    }

    func record(_ statistics: [Statistic], daemon: DaemonClient) {
        let counters = statistics.map { WireCounter(id: $0.rawValue, value: 1) }
        _ = try? daemon.request(.recordStats(counters))
    }

    /// Counts through a new connection, starting the daemon if needed; falls back to the pending file.
    func recordWithNewConnection(_ statistics: [Statistic]) {
        guard let daemon = try? DaemonClient.connect(self.configuration) else {
            for statistic in statistics where statistic != .requests {
                PendingStatistics.append(statistic, cacheDirectory: self.configuration.cacheDirectory)
            }
            return
        }
        self.record(statistics, daemon: daemon)
    }

    /// Replaces this process with the compiler, arguments untouched.
    func execCompiler() -> Never {
        let error = ProcessRunner.exec(self.compilerPath, arguments: [self.compilerName] + self.arguments)
        let message = "hoard: cannot run \(self.compilerPath): \(String(cString: strerror(error)))\n"
        try? FileSystem.writeAll(Array(message.utf8), to: 2)
        exit(127)
    }
}

/// How colour in diagnostics is handled: gcc and clang are asked for it (unless the command line says) and it is
/// stripped for a stderr that is not a colour terminal; rustc's output is left as it is.
struct ColorTreatment {
    /// The flag that makes the compiler colour its diagnostics, or `nil`.
    var forcedFlag: String?
    /// Strip escape sequences when stderr is not a colour terminal.
    var stripWhenNotTerminal: Bool

    init(forcedFlag: String?, stripWhenNotTerminal: Bool) {
        self.forcedFlag = forcedFlag
        self.stripWhenNotTerminal = stripWhenNotTerminal
    }

    init(_ invocation: CompileInvocation) {
        self.forcedFlag = invocation.hasColorOption ? nil : "-fdiagnostics-color=always"
        self.stripWhenNotTerminal = !invocation.hasColorOption
    }
}

/// Ends this process the way the compiler ended: by the same signal, so make and the shell report it alike.
func dieOfSignal(_ signalNumber: Int32) -> Never {
    signal(signalNumber, SIG_DFL)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, signalNumber)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    kill(getpid(), signalNumber)
    exit(128 + signalNumber)
}
