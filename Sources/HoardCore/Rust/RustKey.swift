/// The cache key of a rustc library compile (docs/cache-key.md, "Rust").
public enum RustKey {
    /// Tells whether cargo sets the variable for the crate being compiled.
    ///
    /// Those (cargo's "environment variables Cargo sets for crates") are hashed, since macros may read them. Other `CARGO_*` variables configure cargo itself, which
    /// turns them into rustc arguments (hashed) or keeps them to itself; a variable a crate reads with `env!` or
    /// `option_env!` is hashed through the dep-info's `env-dep` lines, whatever its name.
    static func isCrateVariable(_ name: String) -> Bool {
        name == "CARGO" || name == "CARGO_CRATE_NAME" || name == "CARGO_PRIMARY_PACKAGE"
            || name == "CARGO_TARGET_TMPDIR" || name == "CARGO_RUSTC_CURRENT_DIR" || name.hasPrefix("CARGO_PKG_")
            || name.hasPrefix("CARGO_MANIFEST_") || name.hasPrefix("CARGO_BIN_")
    }

    /// Hashes the fields of direct mode's manifest key: every field of ``hashFields(of:context:dependencies:into:)``
    /// but the sources and `env-dep` variables (each manifest entry holds those), then the mode, the working
    /// directory (rewritten: the entries' paths are absolute, or relative to the output directory, so they name this
    /// crate's files only from where it is compiled), the variables rustc reads without a dep-info line, and the
    /// crate root's bytes.
    ///
    /// - Throws: ``KeyInputProblem`` if the crate root, an extern crate, a static library or the target file cannot
    ///   be read.
    public static func hashManifestFields(
        of invocation: RustInvocation,
        context: KeyContext,
        into hasher: inout CacheKeyHasher
    ) throws(KeyInputProblem) {
        try Self.hashFields(of: invocation, context: context, dependencies: nil, into: &hasher)
        hasher.combine("mode", "rust direct")
        hasher.combine("crate directory", context.baseDirectories.rewritePath(context.workingDirectory))
        // The dep-info pass failed where these make the compile fail (RUSTC_BOOTSTRAP allows `#![feature]` on a
        // stable rustc) or change the metadata; direct mode runs no pass, so their values name the entry.
        for name in Self.compilerVariables {
            hasher.combine("rustc variable \(name)", context.environment(name).map { "=" + $0 } ?? "unset")
        }
        guard let root = context.readFile(Path.join(context.workingDirectory, invocation.sourcePath)) else {
            throw KeyInputProblem(statistic: .missingSourceFile, detail: invocation.sourcePath)
        }
        hasher.combine("crate root", bytes: root)
    }

    /// Variables rustc itself reads, which dep-info does not list.
    static let compilerVariables = ["RUSTC_BOOTSTRAP", "RUSTC_FORCE_RUSTC_VERSION"]

    /// The other file a module could have been read from.
    ///
    /// That is `dir/name/mod.rs` for `dir/name.rs` and the reverse, or `nil` for a file that is not Rust source.
    /// rustc refuses `mod name;` when both exist, so while the other is absent the module file read is the one it
    /// would read again.
    public static func otherModuleFile(of path: String) -> String? {
        guard path.hasSuffix(".rs") else { return nil }
        let directory = Path.directory(of: path)
        if Path.baseName(of: path) == "mod.rs" {
            let parent = Path.directory(of: directory)
            let name = Path.baseName(of: directory)
            guard !name.isEmpty, name != "/", name != "." else { return nil }
            return Path.join(parent, name + ".rs")
        }
        return Path.join(directory, String(Path.baseName(of: path).dropLast(3)) + "/mod.rs")
    }

    /// The dep-info of the dep-info pass, split into what the key needs.
    public struct DependencyInfo: Equatable, Sendable {
        /// The source files rustc read, as it spelled them.
        public var sources: [String]
        /// `# env-dep:` lines: variables read with `env!`/`option_env!`, with their values.
        public var environmentDependencies: [String]

        /// Parses a dep-info file.
        public init(_ content: [UInt8]) {
            var rules: [UInt8] = []
            var environment: [String] = []
            for line in content.split(separator: 10, omittingEmptySubsequences: false) {
                if line.starts(with: Array("# env-dep:".utf8)) {
                    environment.append(String(decoding: line.dropFirst(10), as: UTF8.self))
                } else if line.first != UInt8(ascii: "#") {
                    rules += line
                    rules.append(10)
                }
            }
            self.sources = DependencyFile.prerequisites(rules)
            self.environmentDependencies = environment
        }
    }

    /// Hashes every field of the key.
    ///
    /// - Parameters:
    ///   - invocation: the classified compile.
    ///   - context: the compiler identity, working directory, environment and base directories.
    ///   - dependencies: the dep-info pass's result; `nil` for direct mode's manifest key, which leaves out the
    ///     sources and `env-dep` variables (the manifest's entries hold them).
    ///   - hasher: receives the fields.
    /// - Throws: ``KeyInputProblem`` if a source, extern crate, static library or target file cannot be read.
    public static func hashFields(
        of invocation: RustInvocation,
        context: KeyContext,
        dependencies: DependencyInfo?,
        into hasher: inout CacheKeyHasher
    ) throws(KeyInputProblem) {
        let base = context.baseDirectories
        hasher.combine("key format", CompileKey.formatVersion)
        hasher.combine("compiler family", context.identity.family.name)
        hasher.combine("compiler digest", context.identity.digest)
        hasher.combine("driver name", context.driverName)
        for argument in invocation.hashedArguments {
            hasher.combine("arg", base.rewriteArgument(argument))
        }
        for output in invocation.outputs {
            hasher.combine("output role", String(output.role.rawValue))
        }
        if invocation.debugInfo {
            // As the debug info records it: after --remap-path-prefix.
            hasher.combine("working directory", base.mappedWorkingDirectory)
        }
        for entry in context.environmentEntries().sorted() where entry.hasPrefix("CARGO") {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            guard Self.isCrateVariable(name) else { continue }
            hasher.combine("env \(name)", base.rewritePath(String(entry[entry.index(after: equals)...])))
        }
        for dependency in dependencies?.environmentDependencies ?? [] {
            hasher.combine("env-dep", dependency)
        }
        for source in dependencies?.sources ?? [] {
            guard let bytes = context.readFile(Path.join(context.workingDirectory, source)) else {
                throw KeyInputProblem(statistic: .missingSourceFile, detail: source)
            }
            hasher.combine("source \(base.rewritePath(source))", bytes: bytes)
        }
        for path in invocation.externPaths {
            guard let bytes = context.readFile(Path.join(context.workingDirectory, path)) else {
                throw KeyInputProblem(statistic: .unreadableExtraInput, detail: path)
            }
            // By file name and content: the name carries cargo's metadata hash, and where the dependency was
            // built (another checkout's target directory) reaches neither the outputs nor the messages.
            hasher.combine("extern \(Path.baseName(of: path))", bytes: bytes)
        }
        for library in invocation.staticLibraries {
            let candidates = invocation.searchDirectories.map {
                Path.join(context.workingDirectory, "\($0)/lib\(library).a")
            }
            guard let bytes = candidates.lazy.compactMap({ context.readFile($0) }).first else {
                throw KeyInputProblem(statistic: .unreadableExtraInput, detail: "-l static=\(library)")
            }
            hasher.combine("static library \(library)", bytes: bytes)
        }
        if let target = invocation.targetSpecification {
            guard let bytes = context.readFile(Path.join(context.workingDirectory, target)) else {
                throw KeyInputProblem(statistic: .unreadableExtraInput, detail: target)
            }
            hasher.combine("target specification", bytes: bytes)
        }
    }
}
