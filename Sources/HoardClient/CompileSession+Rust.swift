import Glibc
import HoardCore
import HoardWire

extension CompileSession {
    /// Tells whether the compiler is rustc (`hoard rustc ...`, `RUSTC_WRAPPER=hoard`).
    var isRustCompiler: Bool {
        Path.baseName(of: self.compilerName).hasPrefix("rustc")
            || Path.baseName(of: self.compilerRealPath).hasPrefix("rustc")
    }

    /// A rustc compile through the cache: classify, dep-info pass, key, look up, compile, store.
    func runRust() -> Never {
        let invocation: RustInvocation
        switch RustArgumentClassifier.classify(self.arguments) {
        case .notACompilation:
            self.execCompiler()
        case .uncacheable(let reason, let detail):
            self.log.write("not cacheable (\(reason.name)): \(detail)")
            self.runUncached(counting: reason)
        case .cacheable(let value):
            invocation = value
        }
        let workingDirectory = FileSystem.currentDirectory()
        let daemon: DaemonClient
        do {
            daemon = try DaemonClient.connect(self.configuration)
        } catch {
            self.log.write("daemon: \(error)")
            PendingStatistics.append(.daemonUnreachable, cacheDirectory: self.configuration.cacheDirectory)
            self.execCompiler()
        }
        guard let identity = self.compilerIdentity(daemon), identity.family == .rust else {
            self.runUncached(counting: .unknownCompiler, daemon: daemon)
        }

        // The dep-info pass: which sources and environment variables the crate reads.
        let dependencyFile = "/tmp/hoard-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).d"
        let pass: ProcessResult
        do {
            pass = try ProcessRunner.run(
                self.compilerPath,
                arguments: [self.compilerName] + invocation.dependencyPassArguments + [
                    "--emit=dep-info=\(dependencyFile)"
                ],
                output: .capture
            )
        } catch {
            unlink(dependencyFile)
            self.log.write("rustc dep-info pass: \(error)")
            self.runUncached(counting: .internalErrors, daemon: daemon)
        }
        let content = try? FileSystem.read(dependencyFile, limit: 64 << 20)
        unlink(dependencyFile)
        guard pass.termination == .exited(0), let content else {
            self.runUncached(counting: .preprocessorFailures, daemon: daemon)
        }
        // Paths under a base directory are made relative to the output directory, not the working directory:
        // cargo compiles registry crates in their source directory, outside any checkout, and their outputs,
        // dep-info included, name the checkout's target directory.
        let anchor = Path.normalize(Path.absolute(invocation.outputDirectory, relativeTo: workingDirectory))
        let base = BaseDirectories(
            self.configuration.baseDirectories,
            workingDirectory: workingDirectory,
            arguments: invocation.arguments,
            debugInfo: invocation.debugInfo,
            anchor: anchor
        )
        let context = KeyContext(
            identity: identity,
            driverName: Path.baseName(of: self.compilerName),
            workingDirectory: workingDirectory,
            baseDirectories: base
        )
        var hasher = CacheKeyHasher()
        do {
            try RustKey.hashFields(
                of: invocation,
                context: context,
                dependencies: RustKey.DependencyInfo(content),
                into: &hasher
            )
        } catch {
            self.log.write("key input: \(error.detail)")
            self.runUncached(counting: error.statistic, daemon: daemon)
        }
        let key = hasher.finalize()
        let outputs = invocation.outputs.map { output in
            WireOutput(
                role: output.role.rawValue,
                path: Path.absolute(output.path, relativeTo: workingDirectory),
                flag: output.isOptional
            )
        }
        let colors = ColorTreatment(forcedFlag: nil, stripWhenNotTerminal: false)
        if self.configuration.recache {
            self.record([.requests, .recaches], daemon: daemon)
        } else {
            let mask = umask(0)
            umask(mask)
            let reply = self.lookUp(
                .cacheGet(
                    key: key.hex,
                    workingDirectory: anchor,
                    outputs: outputs,
                    umask: UInt32(mask),
                    elapsedMicroseconds: (MonotonicClock.now() - self.started) / 1000
                ),
                daemon: daemon,
                source: invocation.sourcePath,
                colors: colors,
                label: key.hex
            )
            if case .hit = reply { exit(0) }
        }
        self.compileAndStore(colors: colors, key: key, outputs: outputs, workingDirectory: anchor) { .none }
    }
}
