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
        if !Path.baseName(of: self.compilerRealPath).hasPrefix("rustc") {
            // A proxy (rustup's `~/.cargo/bin/rustc`): its file stays the same when the toolchain it picks changes,
            // so the identity would be cached under the wrong file. Ask it for the toolchain and use its rustc.
            guard let toolchainRustc = self.toolchainCompiler(), FileSystem.isExecutableFile(toolchainRustc) else {
                self.runUncached(counting: .unknownCompiler)
            }
            let toolchainRealPath = FileSystem.realPath(toolchainRustc) ?? toolchainRustc
            let session = CompileSession(
                compilerPath: toolchainRustc,
                compilerRealPath: toolchainRealPath,
                compilerStamp: FileSystem.stamp(of: toolchainRealPath),
                compilerName: self.compilerName,
                arguments: self.arguments,
                configuration: self.configuration,
                log: self.log,
                started: self.started,
                startedWall: self.startedWall
            )
            session.runRust()
        }
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
        let daemon = self.connectOrRunCompiler()
        guard let identity = self.compilerIdentity(daemon), identity.family == .rust else {
            self.runUncached(counting: .unknownCompiler, daemon: daemon)
        }

        // Paths under a base directory are made relative to the output directory, not the working directory:
        // cargo compiles registry crates in their source directory, outside any checkout, and their outputs,
        // dep-info included, name the checkout's target directory.
        let anchor = Path.normalize(Path.absolute(invocation.outputDirectory, relativeTo: workingDirectory))
        // rustc creates its output directory; the daemon restores only into existing ones.
        try? FileSystem.createDirectories(anchor)
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
        let outputs = Self.wireOutputs(invocation.outputs, workingDirectory: workingDirectory)
        // Direct mode's paths are relative to the output directory under a base directory, and the daemon resolves
        // their `..` through the file system: through a symbolic link that would lead elsewhere than where the
        // compile is, so such an output directory keeps the dep-info pass.
        if self.configuration.directMode,
            let dependencyFile = invocation.outputs.first(where: { $0.role == .dependencies }),
            FileSystem.realPath(anchor) == anchor
        {
            self.runRustDirect(
                invocation,
                context: context,
                dependencyFile: Path.join(workingDirectory, dependencyFile.path),
                outputs: outputs,
                anchor: anchor,
                daemon: daemon
            )
        }

        // The dep-info pass: which sources and environment variables the crate reads.
        let dependencyFile = Self.scratchDependencyPath()
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
        let content = try? FileSystem.read(dependencyFile, limit: DependencyFile.sizeLimit)
        unlink(dependencyFile)
        guard pass.termination == .exited(0), let content else {
            self.runUncached(counting: .preprocessorFailures, daemon: daemon)
        }
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
        let colors = ColorTreatment(forcedFlag: nil, stripWhenNotTerminal: false)
        if self.fetchResult(
            key: key,
            workingDirectory: anchor,
            outputs: outputs,
            daemon: daemon,
            source: invocation.sourcePath,
            colors: colors
        ) {
            exit(0)
        }
        self.compileAndStore(colors: colors, key: key, outputs: outputs, workingDirectory: anchor) { _ in .none }
    }

    /// Direct mode for rustc: no dep-info pass.
    ///
    /// The manifest key holds every field but the sources and the variables the crate reads; the compile's own
    /// dep-info (cargo always asks for one) names those for the manifest entry, and a lookup sends the environment
    /// for the daemon to check the variables against.
    private func runRustDirect(
        _ invocation: RustInvocation,
        context: KeyContext,
        dependencyFile: String,
        outputs: [WireOutput],
        anchor: String,
        daemon: DaemonClient
    ) -> Never {
        let rootStamp = FileSystem.stamp(of: invocation.sourcePath)
        var hasher = CacheKeyHasher()
        do {
            try RustKey.hashManifestFields(of: invocation, context: context, into: &hasher)
        } catch {
            self.log.write("key input: \(error.detail)")
            self.runUncached(counting: error.statistic, daemon: daemon)
        }
        let manifestKey = hasher.finalize()
        let colors = ColorTreatment(forcedFlag: nil, stripWhenNotTerminal: false)
        if !self.configuration.recache
            && self.fetchDirect(
                manifestKey: manifestKey,
                workingDirectory: anchor,
                outputs: outputs,
                environment: EnvironmentDependency.currentLines(),
                daemon: daemon,
                source: invocation.sourcePath,
                colors: colors
            )
        {
            exit(0)
        }
        self.record([.requests, self.configuration.recache ? .recaches : .misses], daemon: daemon)
        let workingDirectory = context.workingDirectory
        let base = context.baseDirectories
        self.compileAndStore(
            colors: colors,
            key: nil,
            outputs: outputs,
            workingDirectory: anchor,
            dependencyFile: dependencyFile
        ) { content in
            guard let content else { return .refused(.unreadableInclude) }
            if self.sourceChanged(invocation.sourcePath, since: rootStamp) {
                return .refused(.inputsChangedBeforeStore)
            }
            let dependencies = RustKey.DependencyInfo(content)
            var includes: [String] = []
            var absent: [String] = []
            for source in dependencies.sources {
                // rustc opened the path as it wrote it: a `..` in it goes where the file system takes it.
                let absolute = Path.absolute(source, relativeTo: workingDirectory)
                guard let path = source.contains("..") ? FileSystem.realPath(absolute) : Path.normalize(absolute)
                else { return .refused(.unreadableInclude) }
                includes.append(base.rewritePath(path))
                // `mod name;` takes `name.rs` or `name/mod.rs`, and fails if both exist: the other must stay absent.
                guard let alternative = RustKey.otherModuleFile(of: path) else { continue }
                guard FileSystem.stamp(of: alternative) == nil else {
                    self.log.write("\(alternative) appeared beside \(path) during the compile: nothing stored")
                    return .refused(.tooNewInput)
                }
                absent.append(base.rewritePath(alternative))
            }
            return .record(
                WireManifestRecord(
                    manifestKey: manifestKey.hex,
                    resultKey: "",
                    workingDirectory: anchor,
                    includes: includes,
                    absentPaths: absent,
                    // Rust has no `__DATE__` or `__TIME__`: text that looks like them is no reason to refuse.
                    allowTimeMacros: true,
                    compileStarted: self.startedWall,
                    environmentDependencies: dependencies.environmentDependencies
                )
            )
        }
    }

    /// The rustc of the toolchain a proxy selects: `SYSROOT/bin/rustc`.
    private func toolchainCompiler() -> String? {
        self.rustOutput("--print=sysroot").flatMap(Self.sysroot).map { "\($0)/bin/rustc" }
    }

    /// Runs rustc with one argument and returns its standard output, or `nil` if it fails.
    private func rustOutput(_ argument: String) -> [UInt8]? {
        guard
            let result = try? ProcessRunner.run(
                self.compilerPath,
                arguments: [self.compilerName, argument],
                output: .capture
            ),
            result.termination == .exited(0)
        else { return nil }
        return result.standardOutput
    }

    /// The sysroot from `rustc --print=sysroot`'s output, if it is an absolute path.
    private static func sysroot(_ printed: [UInt8]) -> String? {
        let line = String(decoding: printed, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return line.hasPrefix("/") ? line : nil
    }

    /// Adds `rustc -vV` and the digests of the sysroot's libraries: the shared libraries in `lib/` and each
    /// target's precompiled crates in `lib/rustlib/TARGET/lib/`.
    ///
    /// - Parameter hasher: receives the names and digests.
    /// - Returns: `false` if rustc cannot describe itself or a library cannot be read.
    func hashRustToolchain(into hasher: inout BLAKE3) -> Bool {
        guard let verbose = self.rustOutput("-vV"),
            let sysroot = self.rustOutput("--print=sysroot").flatMap(Self.sysroot)
        else { return false }
        hasher.update(verbose)
        var files: [String] = []
        for name in FileSystem.listDirectory(sysroot + "/lib") where name.contains(".so") {
            files.append(sysroot + "/lib/" + name)
        }
        for target in FileSystem.listDirectory(sysroot + "/lib/rustlib") {
            let directory = sysroot + "/lib/rustlib/" + target + "/lib"
            for name in FileSystem.listDirectory(directory) { files.append(directory + "/" + name) }
        }
        for file in files.sorted() where FileSystem.isRegularFile(file) {
            guard let digest = try? FileSystem.digest(of: file) else { return false }
            hasher.update(Array(file.dropFirst(sysroot.count).utf8) + [0] + digest)
        }
        return true
    }
}
