/// A compiler family: which option table and which quirks apply.
public enum CompilerFamily: UInt8, Sendable {
    /// GNU gcc and g++.
    case gcc = 1
    /// LLVM clang and clang++.
    case clang = 2
    /// rustc.
    case rust = 3

    /// The family's name in keys.
    public var name: String {
        switch self {
        case .gcc: "gcc"
        case .clang: "clang"
        case .rust: "rust"
        }
    }

    /// Recognises the family from `--version` output.
    ///
    /// - Parameter versionOutput: what `compiler --version` printed.
    /// - Returns: the family, or `nil` if it is neither.
    public static func detect(versionOutput: String) -> CompilerFamily? {
        if versionOutput.hasPrefix("rustc ") { return .rust }
        if versionOutput.contains("clang version") { return .clang }
        if versionOutput.contains("Free Software Foundation") || versionOutput.contains("(GCC)") { return .gcc }
        return nil
    }
}

/// What identifies a compiler: its family and a digest of its binary and version output.
public struct CompilerIdentity: Equatable, Sendable {
    /// The family.
    public var family: CompilerFamily
    /// Hex BLAKE3 of the binary's content and its `--version` output.
    public var digest: String

    /// Creates an identity.
    public init(family: CompilerFamily, digest: String) {
        self.family = family
        self.digest = digest
    }

    /// The bytes stored in the daemon's identity cache: the family byte, then the digest.
    public var serialized: [UInt8] { [self.family.rawValue] + Array(self.digest.utf8) }

    /// Decodes ``serialized``.
    public init?(serialized: [UInt8]) {
        guard let first = serialized.first, let family = CompilerFamily(rawValue: first), serialized.count == 65 else {
            return nil
        }
        self.family = family
        self.digest = String(decoding: serialized.dropFirst(), as: UTF8.self)
    }
}

/// Why a key could not be computed: a reason to count, not an error to report.
public struct KeyInputProblem: Error, Equatable, Sendable {
    /// The statistic to count.
    public var statistic: Statistic
    /// What was wrong.
    public var detail: String
}

/// Everything outside the command line that goes into a compile key.
public struct KeyContext: Sendable {
    /// The compiler's identity.
    public var identity: CompilerIdentity
    /// The basename of the compiler as invoked (`g++` and `gcc` differ).
    public var driverName: String
    /// The absolute working directory.
    public var workingDirectory: String
    /// Looks up environment variables.
    public var environment: @Sendable (String) -> String?
    /// Reads an extra input file; `nil` if it cannot be read.
    public var readFile: @Sendable (String) -> [UInt8]?
    /// Describes the host CPU (for `-march=native`).
    public var hostCPU: @Sendable () -> String
    /// Paths under these enter the key relative to the working directory.
    public var baseDirectories: BaseDirectories
    /// Every `NAME=value` entry of the environment (for rustc's `CARGO_*` variables).
    public var environmentEntries: @Sendable () -> [String]

    /// Creates a context.
    public init(
        identity: CompilerIdentity,
        driverName: String,
        workingDirectory: String,
        environment: @escaping @Sendable (String) -> String? = { Environment.value($0) },
        readFile: @escaping @Sendable (String) -> [UInt8]? = { try? FileSystem.read($0) },
        hostCPU: @escaping @Sendable () -> String = HostCPU.describe,
        baseDirectories: BaseDirectories? = nil,
        environmentEntries: @escaping @Sendable () -> [String] = { Environment.all() }
    ) {
        self.environmentEntries = environmentEntries
        self.baseDirectories = baseDirectories ?? BaseDirectories([], workingDirectory: workingDirectory)
        self.identity = identity
        self.driverName = driverName
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.readFile = readFile
        self.hostCPU = hostCPU
    }
}

/// The cache key of a gcc or clang compile in preprocessor mode (docs/cache-key.md lists every field).
public enum CompileKey {
    /// The key format version: bump it, and update the golden files, whenever what is hashed changes.
    public static let formatVersion = "2"

    /// Environment variables that can change the outputs or the diagnostics.
    public static let relevantEnvironment = [
        "CCC_OVERRIDE_OPTIONS", "COMPILER_PATH", "CPATH", "CPLUS_INCLUDE_PATH", "C_INCLUDE_PATH",
        "GCC_COLORS", "GCC_COMPARE_DEBUG", "GCC_EXEC_PREFIX", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
        "MACOSX_DEPLOYMENT_TARGET", "OBJCPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "SOURCE_DATE_EPOCH",
    ]

    /// Hashes every field of the key except the preprocessed source.
    ///
    /// - Parameters:
    ///   - invocation: the classified compile.
    ///   - context: the compiler identity, working directory and environment.
    ///   - hasher: receives the fields.
    /// - Throws: ``KeyInputProblem`` if an extra input cannot be read.
    public static func hashCommonFields(
        of invocation: CompileInvocation,
        context: KeyContext,
        into hasher: inout CacheKeyHasher
    ) throws(KeyInputProblem) {
        hasher.combine("key format", self.formatVersion)
        hasher.combine("compiler family", context.identity.family.name)
        hasher.combine("compiler digest", context.identity.digest)
        hasher.combine("driver name", context.driverName)
        hasher.combine("language", invocation.language.rawValue)
        let base = context.baseDirectories
        for argument in invocation.hashedArguments {
            hasher.combine("arg", base.rewriteArgument(argument))
        }
        if let target = invocation.dependencyTarget {
            hasher.combine("dependency target", base.rewriteArgument(target))
        }
        for output in invocation.outputs {
            hasher.combine("output role", String(output.role.rawValue))
        }
        for name in self.relevantEnvironment {
            if let value = context.environment(name) { hasher.combine("env \(name)", value) }
        }
        if invocation.dependsOnWorkingDirectory {
            // As debug info records it: after -fdebug-prefix-map/-ffile-prefix-map.
            hasher.combine("working directory", base.mappedWorkingDirectory)
        }
        if invocation.dependsOnObjectPath {
            hasher.combine(
                "object path",
                Path.absolute(invocation.objectPath, relativeTo: context.workingDirectory)
            )
        }
        if invocation.dependsOnHostCPU {
            hasher.combine("host cpu", context.hostCPU())
        }
        for input in invocation.extraInputs {
            if let bytes = context.readFile(input.path) {
                hasher.combine("extra input \(base.rewritePath(input.path))", bytes: bytes)
            } else if input.mustExist {
                throw KeyInputProblem(statistic: .unreadableExtraInput, detail: input.path)
            } else {
                hasher.combine("absent input", base.rewritePath(input.path))
            }
        }
    }
}

/// The host CPU as `-march=native` sees it.
public enum HostCPU {
    /// Returns the model name and feature flags of the first CPU in `/proc/cpuinfo`.
    @Sendable public static func describe() -> String {
        guard let bytes = try? FileSystem.read("/proc/cpuinfo", limit: 4 << 20) else { return "unknown" }
        var lines: [Substring] = []
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") {
            if line.hasPrefix("vendor_id") || line.hasPrefix("model name") || line.hasPrefix("flags")
                || line.hasPrefix("cpu family") || line.hasPrefix("model\t")
            {
                lines.append(line)
            }
            if line.hasPrefix("flags") { break }
        }
        return lines.joined(separator: "\n")
    }
}
