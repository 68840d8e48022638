import Glibc
import HoardCore
import HoardStorage
import HoardWire

extension Daemon {
    /// Direct mode's lookup: the first manifest entry whose includes all still match (and whose shadowing paths are
    /// all still absent) names the result, which is restored in the same request.
    ///
    /// A rustc compile's entry also holds the variables its crate read: `environment` gives their values now.
    func directGet(
        manifestKey keyText: String,
        workingDirectory: String,
        outputs: [WireOutput],
        umask: UInt32,
        elapsedMicroseconds: UInt64,
        environment: [String] = []
    ) -> Response {
        let started = MonotonicClock.now()
        guard let key = CacheKey(hex: keyText), Path.isNormalizedAbsolute(workingDirectory) || workingDirectory == "/",
            outputs.allSatisfy({ isValidOutputPath($0.path) })
        else {
            self.statistics.add(.invalidPaths)
            return .error(code: WireErrorCode.invalidPath, message: "invalid key, directory or output path")
        }
        let manifest: Manifest?
        do {
            manifest = try self.storage.manifest(for: key)
        } catch {
            self.statistics.add(error.code == .corrupt ? .corruptEntries : .storageReadErrors)
            self.log.write("direct \(keyText): \(error)")
            manifest = nil
        }
        let variables = EnvironmentDependency.Matcher(environment)
        for entry in manifest?.entries ?? [] where self.matches(entry, in: workingDirectory, environment: variables) {
            let restored = self.restoreResult(
                entry.resultKey,
                to: outputs,
                umask: umask,
                workingDirectory: workingDirectory
            )
            guard case .hit(let stdout, let stderr, let status) = restored else { continue }
            self.statistics.add(.requests)
            self.statistics.add(.directHits)
            self.statistics.add(.hitMicroseconds, elapsedMicroseconds + (MonotonicClock.now() - started) / 1000)
            return .hit(stdout: stdout, stderr: stderr, exitStatus: status)
        }
        self.statistics.add(.directMisses)
        return .miss
    }

    /// Tells whether every include still has its recorded content (every variable its value) and every shadowing
    /// path is still absent.
    private func matches(
        _ entry: Manifest.Entry,
        in workingDirectory: String,
        environment: EnvironmentDependency.Matcher
    ) -> Bool {
        if !entry.pinnedDirectory.isEmpty && entry.pinnedDirectory != workingDirectory { return false }
        for include in entry.includes {
            if EnvironmentDependency.isVariable(path: include.path) {
                guard environment.matches(path: include.path, digest: include.digest) else {
                    self.log.write("direct: variable \(EnvironmentDependency.name(ofPath: include.path)) changed")
                    return false
                }
                continue
            }
            guard let record = self.digests.record(for: Path.join(workingDirectory, include.path)),
                record.digest == include.digest
            else {
                self.log.write("direct: \(include.path) changed")
                return false
            }
        }
        var directories = DirectoryStatuses()
        for group in entry.absentGroups {
            let directory = Path.join(workingDirectory, group.directory)
            // A missing directory holds none of the paths; an unchanged one still lacks them (see `AbsenceMemo`).
            if self.absences.isMissing(directory, statuses: &directories) { continue }
            guard case .exists(let stamp, isDirectory: _) = directories.status(of: directory) else { return false }
            if group.isMissingDirectory {
                self.log.write("direct: \(group.directory) now exists and may hold a shadowing include")
                return false
            }
            let memoKey = directory + "\u{0}" + group.digest
            if self.absences.stillAbsent(memoKey, stamp: stamp) { continue }
            let names = self.listings.names(in: directory, asking: group.names.count, statuses: &directories)
            for name in group.names where !names.isAbsent(name, strictly: true) {
                self.log.write("direct: \(group.prefix + name) now exists and may shadow an include")
                return false
            }
            self.absences.recordAbsent(memoKey, stamp: stamp)
        }
        return true
    }

    /// Validates a manifest record against the files as they are now.
    ///
    /// - Returns: the manifest entry to add, or the reason nothing may be stored.
    func validate(_ record: WireManifestRecord) -> Result<(CacheKey, Manifest.Entry), ManifestRefusal> {
        guard let manifestKey = CacheKey(hex: record.manifestKey), record.workingDirectory.hasPrefix("/"),
            record.compileStarted > 0
        else {
            return .failure(
                ManifestRefusal(statistic: .invalidPaths, detail: "invalid manifest key, directory or start time")
            )
        }
        var includes: [Manifest.Include] = []
        var queries: [(path: String, queries: HasIncludeQueries)] = []
        var pinnedDirectory = record.pinnedDirectory
        for path in record.includes {
            guard let found = self.digests.record(for: Path.join(record.workingDirectory, path)) else {
                return .failure(ManifestRefusal(statistic: .unreadableInclude, detail: path))
            }
            // Changed during the compile: the compiler may have read other bytes than those just hashed.
            guard !self.isNew(found.stamp, for: record) else {
                return .failure(ManifestRefusal(statistic: .tooNewInput, detail: path))
            }
            if found.findings.contains(.timeMacros) && !record.allowTimeMacros {
                return .failure(ManifestRefusal(statistic: .timeMacros, detail: path))
            }
            if found.findings.contains(.embeddedFile) {
                return .failure(ManifestRefusal(statistic: .embeddedFile, detail: path))
            }
            if found.findings.contains(.fileMacro) && record.pinOnFileMacro {
                pinnedDirectory = record.workingDirectory
            }
            includes.append(Manifest.Include(path: path, digest: found.digest))
            if !found.queries.names.isEmpty || found.queries.hasOpaqueQuery {
                queries.append((path, found.queries))
            }
        }
        // The variables a crate read: their lines name the result as the includes' contents do.
        for line in record.environmentDependencies {
            includes.append(
                Manifest.Include(
                    path: EnvironmentDependency.path(ofLine: line),
                    digest: EnvironmentDependency.digest(ofLine: line)
                )
            )
        }
        var absentGroups: [Manifest.AbsentGroup] = []
        var absentInGroups: [[Bool]] = []  // per group and name, for the queries below
        var directories = DirectoryStatuses()
        let includePaths = Set(record.includes)
        var groups = record.shadowCandidates
        if let includers = record.includerDirectories {
            groups += IncludeSearchPath(quoteDirectories: [], angleDirectories: record.searchDirectories)
                .shadowCandidateGroups(for: record.includes.map { ($0, includers) })
        }
        for group in groups {
            let directory = Path.join(record.workingDirectory, group.directory)
            let names = self.names(in: directory, asking: group.names.count, statuses: &directories)
            if names.missing {
                // The directory stands for its names: were it created, they would have to be looked at again.
                if !group.names.isEmpty {
                    absentGroups.append(Manifest.AbsentGroup(prefix: group.path(of: ""), names: []))
                }
                if !queries.isEmpty { absentInGroups.append(Array(repeating: true, count: group.names.count)) }
                continue
            }
            // A directory unchanged since before the compile started gained no name during it: what is there now was
            // there when the compiler looked, and an include of the compile is there (it was just hashed).
            let unchanged = directories.stamp(of: directory).map { !self.isNew($0, for: record) } ?? false
            var absent: [Bool] = []
            var absentNames: [String] = []
            for name in group.names {
                let isAbsent = unchanged && includePaths.contains(group.path(of: name)) ? false : names.isAbsent(name)
                if isAbsent {
                    absentNames.append(name)
                } else if !unchanged, names.entryStamp(name).map({ self.isNew($0, for: record) }) ?? true {
                    // A candidate that was there before the compile was not searched for this include (the candidates
                    // are a superset), so it is left out. One that appeared during the compile may have come after
                    // the compiler looked: the next compile would take it, so nothing is stored.
                    return .failure(ManifestRefusal(statistic: .tooNewInput, detail: group.path(of: name)))
                }
                if !queries.isEmpty { absent.append(isAbsent) }
            }
            if !absentNames.isEmpty {
                absentGroups.append(Manifest.AbsentGroup(prefix: group.path(of: ""), names: absentNames))
            }
            if !queries.isEmpty { absentInGroups.append(absent) }
        }
        var absentPaths = record.absentPaths  // one by one: the source's and the headers' `__has_include` places
        // `__has_include` in a header: its answer must not change, so every place it looks is recorded, as an
        // include if a file is there and as an absent path if not.
        var known = RecordedPaths(
            queries.isEmpty ? [] : Set(includes.map(\.path)).union(record.absentPaths),
            groups: queries.isEmpty ? [] : groups,
            absent: absentInGroups
        )
        for (path, found) in queries {
            if found.hasOpaqueQuery {
                return .failure(
                    ManifestRefusal(statistic: .opaqueHasInclude, detail: path, storeResult: !record.resultKey.isEmpty)
                )
            }
            for name in found.names {
                for candidate in IncludeSearchPath.queryCandidates(
                    for: name,
                    in: path,
                    searchDirectories: record.searchDirectories
                ) where known.insert(candidate) {
                    let full = Path.join(record.workingDirectory, candidate)
                    var status = stat()
                    if stat(full, &status) != 0 {
                        absentPaths.append(candidate)
                    } else if let existing = self.digests.record(for: full) {
                        // One that appeared during the compile may have been absent when the compiler asked.
                        if self.isNew(existing.stamp, for: record) {
                            return .failure(ManifestRefusal(statistic: .tooNewInput, detail: candidate))
                        }
                        includes.append(Manifest.Include(path: candidate, digest: existing.digest))
                    } else {
                        return .failure(
                            ManifestRefusal(
                                statistic: .opaqueHasInclude,
                                detail: candidate,
                                storeResult: !record.resultKey.isEmpty
                            )
                        )
                    }
                }
            }
        }
        let resultKey: CacheKey
        if record.resultKey.isEmpty {
            // Depend mode: the result is named by the manifest key and the includes' contents.
            var hasher = CacheKeyHasher()
            hasher.combine("depend mode result of", manifestKey.hex)
            if !pinnedDirectory.isEmpty { hasher.combine("pinned to", pinnedDirectory) }
            for include in includes {
                hasher.combine("include", include.path)
                hasher.combine("digest", bytes: include.digest)
            }
            resultKey = hasher.finalize()
        } else if let key = CacheKey(hex: record.resultKey) {
            resultKey = key
        } else {
            return .failure(ManifestRefusal(statistic: .invalidPaths, detail: "invalid result key"))
        }
        let entry = Manifest.Entry(
            includes: includes,
            absentGroups: absentGroups + Manifest.AbsentGroup.groups(of: absentPaths),
            resultKey: resultKey,
            pinnedDirectory: pinnedDirectory
        )
        return .success((manifestKey, entry))
    }

    /// What a directory holding shadowing candidates lacks; a missing one (proved by the memo when it can be) lacks
    /// them all.
    private func names(in directory: String, asking count: Int, statuses: inout DirectoryStatuses) -> DirectoryNames {
        if self.absences.isMissing(directory, statuses: &statuses) {
            return DirectoryNames(directory: directory, hashes: nil, missing: true)
        }
        return self.listings.names(in: directory, asking: count, statuses: &statuses)
    }

    /// Tells whether a file changed at or after the record's compile started: it may have appeared after the compiler
    /// looked.
    private func isNew(_ stamp: FileStamp, for record: WireManifestRecord) -> Bool {
        stamp.changed(since: record.compileStarted)
    }

    /// Adds a validated manifest entry.
    func addManifestEntry(_ entry: Manifest.Entry, for key: CacheKey) {
        do {
            try self.storage.addManifestEntry(entry, for: key)
            self.statistics.add(.manifestUpdates)
        } catch {
            self.statistics.add(.storageWriteErrors)
            self.log.write("manifest \(key.hex): \(error)")
        }
    }

    /// Handles `ManifestPut`: a manifest for a result found in preprocessor mode.
    func manifestPut(_ record: WireManifestRecord) -> Response {
        switch self.validate(record) {
        case .success(let (key, entry)):
            self.addManifestEntry(entry, for: key)
        case .failure(let refusal):
            self.statistics.add(refusal.statistic)
            self.log.write("manifest not stored (\(refusal.statistic.name)): \(refusal.detail)")
        }
        return .ok
    }
}

/// The paths a manifest entry records so far, as an include or an absent path, for the few places a header's
/// `__has_include` looks: those found absent among the shadowing candidates (a thousand or more) are looked up
/// through their directory, not put in a set one by one.
private struct RecordedPaths {
    private var paths: Set<String>
    private let groups: [ShadowCandidateGroup]
    private let absent: [[Bool]]
    private let groupsByDirectory: [String: [Int]]

    /// - Parameters:
    ///   - paths: the recorded paths not among `groups`.
    ///   - groups: the shadowing candidates.
    ///   - absent: per group and name, whether it was recorded as absent.
    init(_ paths: Set<String>, groups: [ShadowCandidateGroup], absent: [[Bool]]) {
        self.paths = paths
        self.groups = groups
        self.absent = absent
        var byDirectory: [String: [Int]] = [:]
        for (index, group) in groups.enumerated() { byDirectory[group.directory, default: []].append(index) }
        self.groupsByDirectory = byDirectory
    }

    /// Records `path`; tells whether it was not recorded before.
    mutating func insert(_ path: String) -> Bool {
        !self.isAbsentCandidate(path) && self.paths.insert(path).inserted
    }

    private func isAbsentCandidate(_ path: String) -> Bool {
        // `path` as a group's directory and a name, as `ShadowCandidateGroup.path(of:)` joins them.
        let bytes = path.utf8
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else {
            return self.isAbsent(path, in: "")
        }
        let name = String(path[bytes.index(after: slash)...])
        let directory = slash == bytes.startIndex ? "/" : String(path[..<slash])
        return self.isAbsent(name, in: directory)
    }

    private func isAbsent(_ name: String, in directory: String) -> Bool {
        for index in self.groupsByDirectory[directory] ?? [] {
            for (position, candidate) in self.groups[index].names.enumerated()
            where self.absent[index][position] && candidate == name {
                return true
            }
        }
        return false
    }
}

/// Why a manifest (and, unless `storeResult`, its result) is not stored.
struct ManifestRefusal: Error {
    var statistic: Statistic
    var detail: String
    var storeResult = false
}
