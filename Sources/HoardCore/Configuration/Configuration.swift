#if canImport(Glibc)
import Glibc
#endif

/// Hoard's settings: environment variables over the TOML file over defaults (docs/configuration.md).
public struct Configuration: Equatable, Sendable {
    /// The cache directory (`HOARD_DIR`, `cache_dir`).
    public var cacheDirectory: String
    /// The size limit in bytes (`HOARD_CACHE_SIZE`, `cache_size`).
    public var maximumSize: UInt64 = 10 << 30
    /// Run every compiler directly (`HOARD_DISABLE`, `disable`).
    public var isDisabled = false
    /// Never read the cache, but store the results (`HOARD_RECACHE`, `recache`).
    public var recache = false
    /// A log file, or `nil` for none (`HOARD_LOG`, `log_file`).
    public var logFile: String?
    /// Seconds without requests before the daemon exits; 0 means never (`HOARD_IDLE_TIMEOUT`, `idle_timeout`).
    public var idleTimeoutSeconds: UInt64 = 600
    /// The zstd compression level for new entries (`HOARD_COMPRESSION_LEVEL`, `compression_level`).
    public var compressionLevel: Int = 1
    /// Look results up by the source and its recorded includes, without the preprocessor
    /// (`HOARD_DIRECT`, `direct_mode`).
    public var directMode = true
    /// On a direct-mode miss of a compile with `-MD` (not `-MMD`), skip the preprocessor and use the compiler's
    /// dependency file (`HOARD_DEPEND`, `depend_mode`).
    public var dependMode = false
    /// Run the preprocessor on a direct-mode miss (`HOARD_PREPROCESS_ON_MISS`, `preprocess_on_miss`).
    ///
    /// With it, a direct miss looks the preprocessed source up before compiling, as ccache does. Without it (the
    /// default), a miss compiles once, with a dependency file added when the command line has none, and the
    /// includes are recorded from that file as in depend mode.
    public var preprocessOnMiss = false
    /// Store results whose sources use `__DATE__`, `__TIME__` or `__TIMESTAMP__`
    /// (`HOARD_ALLOW_TIME_MACROS`, `allow_time_macros`).
    public var allowTimeMacros = false
    /// Wait for the daemon to finish storing a result before exiting, instead of leaving it in the background
    /// (`HOARD_WAIT_FOR_STORE`, `wait_for_store`): for scripts and tests that need the next compile to hit.
    public var waitForStore = false
    /// Absolute directories under which paths enter keys relative to the working directory
    /// (`HOARD_BASEDIRS`, `base_dirs`; colon-separated).
    public var baseDirectories: [String] = []
    /// The remote backend's URL, or `nil` for the local disk only (`HOARD_REMOTE`, `remote_url`).
    public var remoteURL: String?
    /// Never write to the remote (`HOARD_REMOTE_READ_ONLY`, `remote_read_only`).
    public var remoteReadOnly = false
    /// Skip the local tier: entries live in the remote only (`HOARD_REMOTE_ONLY`, `remote_only`).
    public var remoteOnly = false
    /// Milliseconds allowed for each remote read or write (`HOARD_REMOTE_TIMEOUT`, `remote_timeout`).
    public var remoteTimeoutMilliseconds = 5000
    /// Milliseconds allowed to connect to the remote (`HOARD_REMOTE_CONNECT_TIMEOUT`, `remote_connect_timeout`).
    public var remoteConnectTimeoutMilliseconds = 500
    /// One line per problem found while reading the settings; each names the setting.
    public var problems: [String] = []

    /// One setting: its environment variable, its key in the TOML file, and how to apply a value.
    struct Setting: Sendable {
        let environmentName: String
        let fileKey: String
        let apply: @Sendable (inout Configuration, ConfigurationValue) -> String?
    }

    /// A boolean setting.
    static func flag(
        _ environmentName: String,
        _ fileKey: String,
        _ property: any WritableKeyPath<Configuration, Bool> & Sendable
    )
        -> Setting
    {
        Setting(environmentName: environmentName, fileKey: fileKey) { configuration, value in
            guard let flag = value.boolean else { return "expected true or false (1 or 0)" }
            configuration[keyPath: property] = flag
            return nil
        }
    }

    static let settings: [Setting] = [
        Setting(environmentName: "HOARD_DIR", fileKey: "cache_dir") { configuration, value in
            guard let path = value.string, path.hasPrefix("/") else { return "expected an absolute path" }
            configuration.cacheDirectory = Path.normalize(path)
            return nil
        },
        Setting(environmentName: "HOARD_CACHE_SIZE", fileKey: "cache_size") { configuration, value in
            guard let size = value.size else { return "expected a size such as 10G, 500M or a number of bytes" }
            configuration.maximumSize = size
            return nil
        },
        Self.flag("HOARD_DISABLE", "disable", \.isDisabled),
        Self.flag("HOARD_RECACHE", "recache", \.recache),
        Setting(environmentName: "HOARD_LOG", fileKey: "log_file") { configuration, value in
            guard let path = value.string else { return "expected a path" }
            configuration.logFile = path.isEmpty ? nil : path
            return nil
        },
        Setting(environmentName: "HOARD_IDLE_TIMEOUT", fileKey: "idle_timeout") { configuration, value in
            guard let seconds = value.integer, seconds >= 0 else { return "expected a number of seconds (0 = never)" }
            configuration.idleTimeoutSeconds = UInt64(seconds)
            return nil
        },
        Self.flag("HOARD_DIRECT", "direct_mode", \.directMode),
        Self.flag("HOARD_DEPEND", "depend_mode", \.dependMode),
        Self.flag("HOARD_PREPROCESS_ON_MISS", "preprocess_on_miss", \.preprocessOnMiss),
        Self.flag("HOARD_ALLOW_TIME_MACROS", "allow_time_macros", \.allowTimeMacros),
        Self.flag("HOARD_WAIT_FOR_STORE", "wait_for_store", \.waitForStore),
        Setting(environmentName: "HOARD_BASEDIRS", fileKey: "base_dirs") { configuration, value in
            guard let text = value.string else { return "expected absolute directories separated by ':'" }
            let directories = text.split(separator: ":").map(String.init)
            guard directories.allSatisfy({ $0.hasPrefix("/") }) else {
                return "expected absolute directories separated by ':'"
            }
            configuration.baseDirectories = directories.map { Path.normalize($0) }
            return nil
        },
        Setting(environmentName: "HOARD_REMOTE", fileKey: "remote_url") { configuration, value in
            guard let url = value.string else { return "expected a URL" }
            if url.isEmpty {
                configuration.remoteURL = nil
                return nil
            }
            let schemes = ["redis://", "rediss://", "memcached://", "s3://", "http://", "https://"]
            guard schemes.contains(where: { url.hasPrefix($0) }) else {
                return "expected a redis://, rediss://, memcached://, s3://, http:// or https:// URL"
            }
            configuration.remoteURL = url
            return nil
        },
        Self.flag("HOARD_REMOTE_READ_ONLY", "remote_read_only", \.remoteReadOnly),
        Self.flag("HOARD_REMOTE_ONLY", "remote_only", \.remoteOnly),
        Setting(environmentName: "HOARD_REMOTE_TIMEOUT", fileKey: "remote_timeout") { configuration, value in
            guard let milliseconds = value.integer, milliseconds > 0 else { return "expected milliseconds" }
            configuration.remoteTimeoutMilliseconds = milliseconds
            return nil
        },
        Setting(environmentName: "HOARD_REMOTE_CONNECT_TIMEOUT", fileKey: "remote_connect_timeout") {
            configuration,
            value in
            guard let milliseconds = value.integer, milliseconds > 0 else { return "expected milliseconds" }
            configuration.remoteConnectTimeoutMilliseconds = milliseconds
            return nil
        },
        Setting(environmentName: "HOARD_COMPRESSION_LEVEL", fileKey: "compression_level") { configuration, value in
            guard let level = value.integer, (-5...19).contains(level) else { return "expected a level from -5 to 19" }
            configuration.compressionLevel = level
            return nil
        },
    ]

    /// Creates the defaults for a home and cache base directory.
    ///
    /// - Parameter defaultCacheDirectory: the cache directory when nothing sets one.
    public init(defaultCacheDirectory: String) {
        self.cacheDirectory = defaultCacheDirectory
    }

    /// Loads the configuration: defaults, then the TOML file, then the environment.
    ///
    /// Never fails: a malformed value keeps the default and adds a line to ``problems``.
    ///
    /// - Parameter environment: looks up environment variables.
    /// - Returns: the configuration.
    public static func load(environment: (String) -> String? = Environment.value) -> Configuration {
        let home = environment("HOME") ?? "/"
        let cacheBase = environment("XDG_CACHE_HOME").flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.cache"
        var configuration = Configuration(defaultCacheDirectory: Path.normalize(cacheBase + "/hoard"))
        let configBase = environment("XDG_CONFIG_HOME").flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        let explicitFile = environment("HOARD_CONFIG")
        let file = explicitFile ?? configBase + "/hoard/config.toml"
        if let bytes = try? FileSystem.read(file, limit: 1 << 20) {
            configuration.apply(fileText: String(decoding: bytes, as: UTF8.self), fileName: file)
        } else if let explicitFile {
            configuration.problems.append("hoard: HOARD_CONFIG: cannot read \(explicitFile)")
        }
        for setting in self.settings {
            guard let text = environment(setting.environmentName) else { continue }
            if let problem = setting.apply(&configuration, .environment(text)) {
                configuration.problems.append("hoard: \(setting.environmentName)=\(text): \(problem)")
            }
        }
        return configuration
    }

    /// Applies the settings in a TOML document.
    ///
    /// - Parameters:
    ///   - fileText: the document.
    ///   - fileName: named in problems.
    public mutating func apply(fileText: String, fileName: String) {
        let entries: [TOMLEntry]
        do {
            entries = try TOMLParser.parse(fileText)
        } catch {
            self.problems.append("hoard: \(fileName):\(error.line): \(error.message)")
            return
        }
        for entry in entries {
            guard let setting = Self.settings.first(where: { $0.fileKey == entry.key }) else {
                self.problems.append("hoard: \(fileName):\(entry.line): unknown setting \(entry.key)")
                continue
            }
            if let problem = setting.apply(&self, .file(entry.value)) {
                self.problems.append("hoard: \(fileName):\(entry.line): \(entry.key): \(problem)")
            }
        }
    }
}

/// A setting's value from the environment (text) or from the TOML file (typed).
enum ConfigurationValue {
    case environment(String)
    case file(TOMLValue)

    var string: String? {
        switch self {
        case .environment(let text): text
        case .file(.string(let text)): text
        case .file: nil
        }
    }

    var integer: Int? {
        switch self {
        case .environment(let text): Int(text)
        case .file(.integer(let value)): value
        case .file: nil
        }
    }

    var boolean: Bool? {
        switch self {
        case .environment(let text):
            switch text.lowercased() {
            case "1", "true", "yes", "on": true
            case "0", "false", "no", "off", "": false
            default: nil
            }
        case .file(.boolean(let value)): value
        case .file: nil
        }
    }

    /// A size: an integer number of bytes, or a number with a K, M, G or T suffix (powers of 1024, `iB` allowed).
    var size: UInt64? {
        switch self {
        case .file(.integer(let value)): return value > 0 ? UInt64(value) : nil
        case .environment(let text), .file(.string(let text)): return Self.parseSize(text)
        case .file: return nil
        }
    }

    static func parseSize(_ text: String) -> UInt64? {
        var digits = Substring(text)
        var multiplier: UInt64 = 1
        for (suffix, value) in [("T", UInt64(1) << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] {
            for spelling in [suffix + "iB", suffix + "B", suffix, suffix.lowercased()] where digits.hasSuffix(spelling)
            {
                digits = digits.dropLast(spelling.count)
                multiplier = value
                break
            }
            if multiplier != 1 { break }
        }
        guard let number = Double(digits), number > 0, number.isFinite else { return nil }
        let bytes = number * Double(multiplier)
        guard bytes < 1.8e19 else { return nil }
        return UInt64(bytes)
    }
}
