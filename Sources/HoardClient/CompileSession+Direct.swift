import Glibc
import HoardCore
import HoardWire

/// What the client knows for a direct-mode lookup.
struct DirectLookup {
    /// The key of the manifest: the common fields, the mode and the source's bytes.
    var manifestKey: CacheKey
    /// What the source contains that may forbid storing.
    var sourceFindings: SourceFindings
    /// The source's stamp when it was read.
    var sourceStamp: FileStamp?
    /// Depend mode: no preprocessor; the includes come from the compiler's dependency file.
    var depend: Bool
    /// In depend mode, the command line writes no dependency file: a miss adds one, which the client reads and
    /// removes.
    var addsDependencyFile: Bool
    /// Rewrites paths under the base directories.
    var base: BaseDirectories
    /// The source file as given.
    var sourcePath: String
    /// The source's `__has_include` queries.
    var sourceQueries: HasIncludeQueries
}

/// What to record for direct mode after a compile or a preprocessor-mode hit.
enum ManifestOutcome {
    /// Nothing to record, but the result may be stored.
    case none
    /// Store the result but no manifest, and count why.
    case resultOnly(Statistic)
    /// Record this.
    case record(WireManifestRecord)
    /// Store nothing at all, for this reason.
    case refused(Statistic)
}

extension CompileSession {
    /// Reasons found in the source alone that forbid storing anything.
    func storeRefusal(direct: DirectLookup?, includes: [FileStamp]) -> Statistic? {
        guard let direct else { return nil }
        if direct.sourceFindings.contains(.timeMacros) && !self.configuration.allowTimeMacros { return .timeMacros }
        if direct.sourceFindings.contains(.embeddedFile) { return .embeddedFile }
        for stamp in [direct.sourceStamp].compactMap({ $0 }) + includes where self.isTooNew(stamp) {
            return .tooNewInput
        }
        return nil
    }

    /// Tells whether the source at `path` changed since it had `stamp`, asked after the compile and before any store.
    ///
    /// The keys hold the bytes read (or preprocessed) then; the compile that just ended may have read others.
    func sourceChanged(_ path: String, since stamp: FileStamp?) -> Bool {
        guard FileSystem.stamp(of: path) != stamp else { return false }
        self.log.write("\(path) changed during the compile: nothing stored")
        return true
    }

    /// Tells whether a file was modified at or after this compile started: it may still be changing.
    func isTooNew(_ stamp: FileStamp) -> Bool {
        stamp.changed(since: self.startedWall)
    }

    /// Builds the manifest record from a preprocessor run made with `-v`.
    func manifestRecord(
        _ direct: DirectLookup,
        invocation: CompileInvocation,
        resultKey: CacheKey,
        preprocessed: ProcessResult,
        workingDirectory: String,
        pinnedDirectory: String
    ) -> ManifestOutcome {
        if let refusal = self.storeRefusal(direct: direct, includes: []) { return .refused(refusal) }
        guard let searchPath = IncludeSearchPath.parse(verboseOutput: preprocessed.standardError) else {
            self.log.write("no include search list in the preprocessor's -v output: no manifest")
            return .none
        }
        let inclusions = LineMarkers(preprocessed.standardOutput).includedFiles
        return self.record(
            direct,
            resultKey: resultKey.hex,
            includes: inclusions.map { ($0.path, IncludeSearchPath.directories(of: $0.includer.map { [$0] } ?? [])) },
            forcedIncludes: invocation.hasForcedIncludes,
            searchPath: searchPath,
            workingDirectory: workingDirectory,
            pinnedDirectory: pinnedDirectory,
            pinOnFileMacro: false
        )
    }

    /// Builds the manifest record in depend mode, from the dependency file the compile just wrote.
    func dependManifest(
        _ direct: DirectLookup,
        dependencies: [UInt8]?,
        invocation: CompileInvocation,
        workingDirectory: String,
        searchPath: IncludeSearchPath?
    )
        -> ManifestOutcome
    {
        guard let content = dependencies else { return .refused(.unreadableInclude) }
        let includes = DependencyFile.prerequisites(content).filter { $0 != invocation.sourcePath }
        guard let searchPath else { return .none }
        // The includers are unknown: every directory holding the source or an include is searched first.
        let includerDirectories = IncludeSearchPath.directories(of: [invocation.sourcePath] + includes)
        return self.record(
            direct,
            resultKey: "",
            includes: includes.map { ($0, includerDirectories) },
            sharedIncluderDirectories: includerDirectories,
            forcedIncludes: invocation.hasForcedIncludes,
            searchPath: searchPath,
            workingDirectory: workingDirectory,
            // Without the preprocessed text, a `__FILE__` is the only sign that the output names the checkout.
            pinnedDirectory: direct.base.isActive && direct.sourceFindings.contains(.fileMacro) ? workingDirectory : "",
            pinOnFileMacro: direct.base.isActive
        )
    }

    private func record(
        _ direct: DirectLookup,
        resultKey: String,
        includes: [(path: String, includerDirectories: [String])],
        sharedIncluderDirectories: [String]? = nil,
        forcedIncludes: Bool,
        searchPath: IncludeSearchPath,
        workingDirectory: String,
        pinnedDirectory: String,
        pinOnFileMacro: Bool
    ) -> ManifestOutcome {
        // `-include` and `-imacros` files are looked for in the working directory first, so a header created there
        // may take the place of any include (which includes came from the command line is not known).
        func searchedFirst(_ includers: [String]) -> [String] {
            forcedIncludes && !includers.contains("") ? [""] + includers : includers
        }
        // The daemon reads the includes' stamps when it hashes them, and refuses any that changed during the compile.
        var wireIncludes = includes.map { direct.base.rewritePath($0.path) }
        // The daemon checks which candidates exist, from directory listings it keeps while they are unchanged. When
        // every include shares its includer directories and paths are not rewritten, it also works them out, as it
        // stores the result: out of the build's way.
        let includerDirectories = direct.base.isActive ? nil : sharedIncluderDirectories.map(searchedFirst)
        let candidates =
            includerDirectories != nil
            ? []
            : searchPath.shadowCandidateGroups(for: includes.map { ($0.path, searchedFirst($0.includerDirectories)) })
                .map { ShadowCandidateGroup(directory: direct.base.rewritePath($0.directory), names: $0.names) }
        var absent: [String] = []
        // The source's own `__has_include` queries (the daemon handles the headers').
        do {
            let source = direct.sourceQueries
            if source.hasOpaqueQuery {
                self.log.write("__has_include with a macro argument in the source: no manifest")
                return resultKey.isEmpty ? .refused(.opaqueHasInclude) : .resultOnly(.opaqueHasInclude)
            }
            var known = source.names.isEmpty ? [] : Set(wireIncludes)
            for name in source.names {
                for candidate in IncludeSearchPath.queryCandidates(
                    for: name,
                    in: direct.sourcePath,
                    searchDirectories: searchPath.allDirectories
                ) where known.insert(candidate).inserted {
                    // One that appeared during the compile may have been absent when the compiler asked: the daemon
                    // refuses it as an include that changed.
                    if FileSystem.stamp(of: Path.join(workingDirectory, candidate)) != nil {
                        wireIncludes.append(direct.base.rewritePath(candidate))
                    } else {
                        absent.append(direct.base.rewritePath(candidate))
                    }
                }
            }
        }
        return .record(
            WireManifestRecord(
                manifestKey: direct.manifestKey.hex,
                resultKey: resultKey,
                workingDirectory: workingDirectory,
                includes: wireIncludes,
                absentPaths: absent,
                shadowCandidates: candidates,
                allowTimeMacros: self.configuration.allowTimeMacros,
                pinnedDirectory: pinnedDirectory,
                pinOnFileMacro: pinOnFileMacro,
                searchDirectories: searchPath.allDirectories.map { direct.base.rewritePath($0) },
                compileStarted: self.startedWall,
                includerDirectories: includerDirectories
            )
        )
    }

    /// Starts finding the include search list for the compile's own options (depend mode, on a miss), from `-v` on
    /// an empty input, so that it runs while the compiler compiles.
    ///
    /// The daemon keeps the answer as a compiler fact (``compilerFact(_:command:workingDirectory:)``), so a build's
    /// misses ask the compiler once per set of options rather than once per file.
    func startSearchPathProbe(
        _ invocation: CompileInvocation,
        workingDirectory: String,
        daemon: DaemonClient
    ) -> SearchPathProbe {
        var arguments = invocation.preprocessorArguments
        arguments.replaceSubrange(
            invocation.sourceIndex...invocation.sourceIndex,
            with: ["-x", invocation.language.rawValue, "/dev/null"]
        )
        let command = [self.compilerName] + arguments + ["-v"]
        let fact = self.compilerFact("search list", command: command, workingDirectory: workingDirectory)
        if let cached = fact.get(daemon), let searchPath = IncludeSearchPath.parse(verboseOutput: cached) {
            return .known(searchPath)
        }
        let lockPath = self.answerLockPath(for: fact.path)
        let lock: AnswerLock?
        switch AnswerLock.take(lockPath) {
        case .held(let held): lock = held
        case .busy: return .elsewhere(command, fact, lockPath: lockPath)
        case .unavailable: lock = nil
        }
        // The holder before us may have just given it to the daemon.
        if let cached = fact.get(daemon), let searchPath = IncludeSearchPath.parse(verboseOutput: cached) {
            lock?.release()
            return .known(searchPath)
        }
        guard let started = self.startProbe(command) else {
            lock?.release()
            return .unavailable
        }
        return .running(started, fact, lock)
    }

    /// The include search list the probe found, kept by the daemon for the next misses; `nil` if there is none.
    func finishSearchPathProbe(_ probe: SearchPathProbe, daemon: DaemonClient) -> IncludeSearchPath? {
        switch probe {
        case .known(let searchPath):
            return searchPath
        case .unavailable:
            return nil
        case .running(let started, let fact, let lock):
            defer { lock?.release() }
            return self.searchPath(from: started, keptUnder: fact, daemon: daemon)
        case .elsewhere(let command, let fact, let lockPath):
            // Another job of the build asked first: its answer is usually in before this compile ends.
            let lock = AnswerLock.wait(lockPath)
            defer { lock?.release() }
            if let cached = fact.get(daemon), let searchPath = IncludeSearchPath.parse(verboseOutput: cached) {
                return searchPath
            }
            guard let started = self.startProbe(command) else { return nil }
            return self.searchPath(from: started, keptUnder: fact, daemon: daemon)
        }
    }

    /// Waits for a probe of ours and gives its answer to the daemon; another client's is left to wait for later.
    func settleSearchPathProbe(_ probe: SearchPathProbe, daemon: DaemonClient) -> SearchPathProbe {
        guard case .running = probe else { return probe }
        return self.finishSearchPathProbe(probe, daemon: daemon).map { .known($0) } ?? .unavailable
    }

    /// Starts `command` (`-v` on an empty input), with messages in English.
    private func startProbe(_ command: [String]) -> ProcessRunner.Started? {
        try? ProcessRunner.start(
            self.compilerPath,
            arguments: command,
            environment: Environment.withUntranslatedMessages()
        )
    }

    /// The search list in a probe's output, which the daemon keeps under `fact`.
    private func searchPath(
        from started: ProcessRunner.Started,
        keptUnder fact: CompilerFact,
        daemon: DaemonClient
    ) -> IncludeSearchPath? {
        let result = started.finish()
        guard result.termination == .exited(0),
            let searchPath = IncludeSearchPath.parse(verboseOutput: result.standardError)
        else {
            return nil
        }
        fact.put(result.standardError, daemon)
        return searchPath
    }
}

/// A depend-mode miss's include search list: known to the daemon, or being asked of the compiler.
enum SearchPathProbe {
    /// The daemon knew it.
    case known(IncludeSearchPath)
    /// The compiler is being asked (`-v` on an empty input), under the answer's lock if it could be taken; the
    /// answer is kept under the fact.
    case running(ProcessRunner.Started, CompilerFact, AnswerLock?)
    /// Another client holds the answer's lock and is asking: wait for it after the compile, then look it up.
    case elsewhere([String], CompilerFact, lockPath: String)
    /// Nothing to ask, or the compiler could not be started.
    case unavailable
}
