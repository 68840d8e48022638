/// The protocol version sent in `Hello`; bump it whenever a message changes (docs/wire-protocol.md).
public let wireProtocolVersion: UInt32 = 8

/// A file's identity as the client saw it (docs/wire-protocol.md, "FileStamp").
public struct WireFileStamp: Equatable, Sendable {
    /// Size in bytes.
    public var size: UInt64
    /// Modification time, nanoseconds since the epoch.
    public var mtimeNanoseconds: Int64
    /// Status change time, nanoseconds since the epoch.
    public var ctimeNanoseconds: Int64
    /// Inode number.
    public var inode: UInt64
    /// Device number.
    public var device: UInt64

    /// Creates a stamp.
    public init(size: UInt64, mtimeNanoseconds: Int64, ctimeNanoseconds: Int64, inode: UInt64, device: UInt64) {
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.ctimeNanoseconds = ctimeNanoseconds
        self.inode = inode
        self.device = device
    }

    /// Tells whether both stamps describe the same file with the same content: all but the status change time,
    /// which a hard link or a `chmod` also moves (cargo hard-links the outputs it uplifts while they are stored).
    ///
    /// - Parameter other: the other stamp.
    /// - Returns: `true` if size, modification time, inode and device agree.
    public func hasSameContent(as other: WireFileStamp) -> Bool {
        self.size == other.size && self.mtimeNanoseconds == other.mtimeNanoseconds && self.inode == other.inode
            && self.device == other.device
    }

    /// A stamp for a file that does not exist.
    public static let absent = WireFileStamp(size: 0, mtimeNanoseconds: 0, ctimeNanoseconds: 0, inode: 0, device: 0)
}

/// An output the daemon restores (CacheGet) or stores (CachePut).
public struct WireOutput: Equatable, Sendable {
    /// The output's role (docs/wire-protocol.md, "Output roles").
    public var role: UInt8
    /// An absolute, normalized path.
    public var path: String
    /// Whether the output is optional (CacheGet) or was written by the compile (CachePut).
    public var flag: Bool
    /// CachePut: the file's stamp after the compile; CacheGet: ignored (``WireFileStamp/absent``).
    public var stamp: WireFileStamp

    /// Creates an output description.
    public init(role: UInt8, path: String, flag: Bool, stamp: WireFileStamp = .absent) {
        self.role = role
        self.path = path
        self.flag = flag
        self.stamp = stamp
    }
}

/// A counter and an amount to add (RecordStats) or its value (Stats).
public struct WireCounter: Equatable, Sendable {
    /// The statistic's raw value.
    public var id: UInt16
    /// The amount.
    public var value: UInt64

    /// Creates a counter.
    public init(id: UInt16, value: UInt64) {
        self.id = id
        self.value = value
    }
}

/// Names in one directory that would shadow an include if created (docs/wire-protocol.md, "ManifestRecord").
public struct WireCandidateGroup: Equatable, Sendable {
    /// The directory, spelled like the includes (relative paths are relative to the working directory).
    public var directory: String
    /// Names in it, without slashes.
    public var names: [String]

    /// Creates a group.
    public init(directory: String, names: [String]) {
        self.directory = directory
        self.names = names
    }
}

/// What direct mode records for a compile (docs/wire-protocol.md, "ManifestRecord").
public struct WireManifestRecord: Equatable, Sendable {
    /// The direct-mode key.
    public var manifestKey: String
    /// The result key; empty in depend mode, where the daemon derives it from the includes' digests.
    public var resultKey: String
    /// The compile's working directory, against which relative paths resolve.
    public var workingDirectory: String
    /// The include files, as the compiler spelled them: the daemon reads their stamps, and one that changed at or
    /// after `compileStarted` refuses the record.
    public var includes: [String]
    /// Paths that did not exist and would shadow an include if created.
    public var absentPaths: [String]
    /// Places that would shadow an include if a file were created there, for the daemon to check: the absent ones
    /// join `absentPaths`; one that exists and changed at or after `compileStarted` refuses the record.
    public var shadowCandidates: [WireCandidateGroup]
    /// Whether `__DATE__`/`__TIME__` in an include is acceptable (the user opted in).
    public var allowTimeMacros: Bool
    /// The entry is valid only in this directory (the output names the checkout); empty when it can be shared.
    public var pinnedDirectory: String
    /// Pin the entry to the working directory if an include uses `__FILE__` (depend mode with base directories).
    public var pinOnFileMacro: Bool
    /// The include search directories in order (quote directories first), for the headers' `__has_include` queries.
    public var searchDirectories: [String]
    /// When the compile started, in nanoseconds since the epoch on the clock that stamps files: an include, or a file
    /// found for a `__has_include` query or among the shadowing candidates, that changed at or after it refuses the
    /// record.
    public var compileStarted: Int64
    /// The directories each of `includes` may have been looked for in before `searchDirectories` (depend mode, where
    /// the includers are unknown): when given, the daemon works out the includes' shadowing candidates itself, as
    /// well as checking `shadowCandidates`.
    public var includerDirectories: [String]?
    /// A rustc compile's `env-dep` lines from its dep-info (`NAME=value`, or `NAME` for an unset variable): the daemon
    /// records each as an include whose content is the line.
    public var environmentDependencies: [String]

    /// Creates a record.
    public init(
        manifestKey: String,
        resultKey: String,
        workingDirectory: String,
        includes: [String],
        absentPaths: [String],
        shadowCandidates: [WireCandidateGroup] = [],
        allowTimeMacros: Bool,
        pinnedDirectory: String = "",
        pinOnFileMacro: Bool = false,
        searchDirectories: [String] = [],
        compileStarted: Int64,
        includerDirectories: [String]? = nil,
        environmentDependencies: [String] = []
    ) {
        self.environmentDependencies = environmentDependencies
        self.searchDirectories = searchDirectories
        self.compileStarted = compileStarted
        self.includerDirectories = includerDirectories
        self.manifestKey = manifestKey
        self.resultKey = resultKey
        self.workingDirectory = workingDirectory
        self.includes = includes
        self.absentPaths = absentPaths
        self.shadowCandidates = shadowCandidates
        self.allowTimeMacros = allowTimeMacros
        self.pinnedDirectory = pinnedDirectory
        self.pinOnFileMacro = pinOnFileMacro
    }
}

/// A request from the client (docs/wire-protocol.md, "Requests").
public enum Request: Equatable, Sendable {
    /// The first message on every connection.
    case hello(protocolVersion: UInt32, clientVersion: String)
    /// Looks up a compiler's identity by path and stamp.
    case compilerIdentityGet(path: String, stamp: WireFileStamp)
    /// Stores a compiler's identity.
    case compilerIdentityPut(path: String, stamp: WireFileStamp, identity: [UInt8])
    /// Looks up a key and, on a hit, writes the outputs.
    case cacheGet(
        key: String,
        workingDirectory: String,
        outputs: [WireOutput],
        umask: UInt32,
        elapsedMicroseconds: UInt64
    )
    /// Stores the outputs of a successful compile, and the manifest if given; the client does not wait for the
    /// reply. The daemon reads the outputs at once and stores them once requests pause (see `flushStores`).
    case cachePut(
        key: String,
        workingDirectory: String,
        baseDirectories: [String],
        outputs: [WireOutput],
        stdout: [UInt8],
        stderr: [UInt8],
        exitStatus: Int32,
        elapsedMicroseconds: UInt64,
        manifest: WireManifestRecord?
    )
    /// Looks up a direct-mode key: verifies the manifest's include files and, on a match, writes the outputs.
    /// `environment` is a rustc compile's environment, one line per variable as dep-info writes it (for the crate's
    /// `env-dep` variables); empty for gcc and clang.
    case directGet(
        manifestKey: String,
        workingDirectory: String,
        outputs: [WireOutput],
        umask: UInt32,
        elapsedMicroseconds: UInt64,
        environment: [String] = []
    )
    /// Records a manifest entry for a result that is already stored.
    case manifestPut(WireManifestRecord)
    /// Adds to counters only the client can know about.
    case recordStats([WireCounter])
    /// Asks for the statistics.
    case getStats
    /// Resets the statistics.
    case zeroStats
    /// Removes every entry.
    case clear
    /// Asks the daemon to exit.
    case shutdown
    /// Replies once every store the daemon has taken is written.
    case flushStores

    /// Encodes the message (without the frame).
    public func encode() -> [UInt8] {
        var writer = WireWriter()
        switch self {
        case .hello(let version, let client):
            writer.write(UInt8(1))
            writer.write(version)
            writer.write(client)
        case .compilerIdentityGet(let path, let stamp):
            writer.write(UInt8(2))
            writer.write(path)
            writer.write(stamp)
        case .compilerIdentityPut(let path, let stamp, let identity):
            writer.write(UInt8(3))
            writer.write(path)
            writer.write(stamp)
            writer.write(identity)
        case .cacheGet(let key, let directory, let outputs, let umask, let elapsed):
            writer.write(UInt8(4))
            writer.write(key)
            writer.write(directory)
            writer.write(outputs)
            writer.write(umask)
            writer.write(elapsed)
        case .cachePut(
            let key,
            let directory,
            let baseDirectories,
            let outputs,
            let stdout,
            let stderr,
            let status,
            let elapsed,
            let manifest
        ):
            writer.write(UInt8(5))
            writer.write(key)
            writer.write(directory)
            writer.write(UInt32(baseDirectories.count))
            for base in baseDirectories { writer.write(base) }
            writer.write(outputs)
            writer.write(stdout)
            writer.write(stderr)
            writer.write(status)
            writer.write(elapsed)
            writer.write(manifest != nil)
            if let manifest { writer.write(manifest) }
        case .directGet(let key, let directory, let outputs, let umask, let elapsed, let environment):
            writer.write(UInt8(11))
            writer.write(key)
            writer.write(directory)
            writer.write(outputs)
            writer.write(umask)
            writer.write(elapsed)
            writer.write(environment)
        case .manifestPut(let record):
            writer.write(UInt8(12))
            writer.write(record)
        case .recordStats(let counters):
            writer.write(UInt8(6))
            writer.write(counters)
        case .getStats:
            writer.write(UInt8(7))
        case .zeroStats:
            writer.write(UInt8(8))
        case .clear:
            writer.write(UInt8(9))
        case .shutdown:
            writer.write(UInt8(10))
        case .flushStores:
            writer.write(UInt8(13))
        }
        return writer.bytes
    }

    /// Decodes a message.
    ///
    /// - Parameter bytes: one frame's message.
    /// - Returns: the request.
    /// - Throws: ``WireError`` on an unknown tag, truncation or trailing bytes.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Request {
        var reader = WireReader(bytes)
        let request: Request
        switch try reader.readUInt8() {
        case 1: request = .hello(protocolVersion: try reader.readUInt32(), clientVersion: try reader.readString())
        case 2: request = .compilerIdentityGet(path: try reader.readString(), stamp: try reader.readStamp())
        case 3:
            request = .compilerIdentityPut(
                path: try reader.readString(),
                stamp: try reader.readStamp(),
                identity: try reader.readBytes()
            )
        case 4:
            request = .cacheGet(
                key: try reader.readString(),
                workingDirectory: try reader.readString(),
                outputs: try reader.readOutputs(),
                umask: try reader.readUInt32(),
                elapsedMicroseconds: try reader.readUInt64()
            )
        case 5:
            request = .cachePut(
                key: try reader.readString(),
                workingDirectory: try reader.readString(),
                baseDirectories: try reader.readStrings(),
                outputs: try reader.readOutputs(),
                stdout: try reader.readBytes(),
                stderr: try reader.readBytes(),
                exitStatus: try reader.readInt32(),
                elapsedMicroseconds: try reader.readUInt64(),
                manifest: try reader.readBool() ? try reader.readManifestRecord() : nil
            )
        case 6: request = .recordStats(try reader.readCounters())
        case 7: request = .getStats
        case 8: request = .zeroStats
        case 9: request = .clear
        case 10: request = .shutdown
        case 11:
            request = .directGet(
                manifestKey: try reader.readString(),
                workingDirectory: try reader.readString(),
                outputs: try reader.readOutputs(),
                umask: try reader.readUInt32(),
                elapsedMicroseconds: try reader.readUInt64(),
                environment: try reader.readStrings()
            )
        case 12: request = .manifestPut(try reader.readManifestRecord())
        case 13: request = .flushStores
        case let tag: throw WireError("unknown request tag \(tag)")
        }
        guard reader.isAtEnd else { throw WireError("trailing bytes after request") }
        return request
    }
}

/// Statistics as the daemon reports them.
public struct WireStats: Equatable, Sendable {
    /// Every counter with its value.
    public var counters: [WireCounter]
    /// Entries in the local cache.
    public var entryCount: UInt64
    /// Bytes in the local cache.
    public var byteCount: UInt64
    /// The size limit in bytes.
    public var maximumBytes: UInt64
    /// The cache directory.
    public var cacheDirectory: String
    /// The remote backend and its health, or empty when there is none.
    public var remoteStatus: String

    /// Creates a snapshot.
    public init(
        counters: [WireCounter],
        entryCount: UInt64,
        byteCount: UInt64,
        maximumBytes: UInt64,
        cacheDirectory: String,
        remoteStatus: String = ""
    ) {
        self.counters = counters
        self.entryCount = entryCount
        self.byteCount = byteCount
        self.maximumBytes = maximumBytes
        self.cacheDirectory = cacheDirectory
        self.remoteStatus = remoteStatus
    }
}

/// A response from the daemon (docs/wire-protocol.md, "Responses").
public enum Response: Equatable, Sendable {
    /// The reply to `hello`.
    case hello(protocolVersion: UInt32, daemonVersion: String, pid: UInt32)
    /// The reply to `compilerIdentityGet`: the stored identity, or `nil`.
    case compilerIdentity([UInt8]?)
    /// The outputs were written; replay this.
    case hit(stdout: [UInt8], stderr: [UInt8], exitStatus: Int32)
    /// No usable entry.
    case miss
    /// Done.
    case ok
    /// The reply to `getStats`.
    case stats(WireStats)
    /// A typed error; the client compiles as if the daemon were absent.
    case error(code: UInt16, message: String)

    /// Encodes the message (without the frame).
    public func encode() -> [UInt8] {
        var writer = WireWriter()
        switch self {
        case .hello(let version, let daemon, let pid):
            writer.write(UInt8(1))
            writer.write(version)
            writer.write(daemon)
            writer.write(pid)
        case .compilerIdentity(let identity):
            writer.write(UInt8(2))
            writer.write(identity != nil)
            writer.write(identity ?? [])
        case .hit(let stdout, let stderr, let status):
            writer.write(UInt8(3))
            writer.write(stdout)
            writer.write(stderr)
            writer.write(status)
        case .miss:
            writer.write(UInt8(4))
        case .ok:
            writer.write(UInt8(5))
        case .stats(let stats):
            writer.write(UInt8(6))
            writer.write(stats.counters)
            writer.write(stats.entryCount)
            writer.write(stats.byteCount)
            writer.write(stats.maximumBytes)
            writer.write(stats.cacheDirectory)
            writer.write(stats.remoteStatus)
        case .error(let code, let message):
            writer.write(UInt8(7))
            writer.write(code)
            writer.write(message)
        }
        return writer.bytes
    }

    /// Decodes a message.
    ///
    /// - Parameter bytes: one frame's message.
    /// - Returns: the response.
    /// - Throws: ``WireError`` on an unknown tag, truncation or trailing bytes.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Response {
        var reader = WireReader(bytes)
        let response: Response
        switch try reader.readUInt8() {
        case 1:
            response = .hello(
                protocolVersion: try reader.readUInt32(),
                daemonVersion: try reader.readString(),
                pid: try reader.readUInt32()
            )
        case 2:
            let present = try reader.readBool()
            let identity = try reader.readBytes()
            response = .compilerIdentity(present ? identity : nil)
        case 3:
            response = .hit(
                stdout: try reader.readBytes(),
                stderr: try reader.readBytes(),
                exitStatus: try reader.readInt32()
            )
        case 4: response = .miss
        case 5: response = .ok
        case 6:
            response = .stats(
                WireStats(
                    counters: try reader.readCounters(),
                    entryCount: try reader.readUInt64(),
                    byteCount: try reader.readUInt64(),
                    maximumBytes: try reader.readUInt64(),
                    cacheDirectory: try reader.readString(),
                    remoteStatus: try reader.readString()
                )
            )
        case 7: response = .error(code: try reader.readUInt16(), message: try reader.readString())
        case let tag: throw WireError("unknown response tag \(tag)")
        }
        guard reader.isAtEnd else { throw WireError("trailing bytes after response") }
        return response
    }
}

extension WireWriter {
    mutating func write(_ stamp: WireFileStamp) {
        self.write(stamp.size)
        self.write(stamp.mtimeNanoseconds)
        self.write(stamp.ctimeNanoseconds)
        self.write(stamp.inode)
        self.write(stamp.device)
    }

    mutating func write(_ outputs: [WireOutput]) {
        self.write(UInt32(outputs.count))
        for output in outputs {
            self.write(output.role)
            self.write(output.path)
            self.write(output.flag)
            self.write(output.stamp)
        }
    }

    mutating func write(_ record: WireManifestRecord) {
        self.write(record.manifestKey)
        self.write(record.resultKey)
        self.write(record.workingDirectory)
        self.write(record.includes)
        self.write(record.absentPaths)
        self.write(UInt32(record.shadowCandidates.count))
        for group in record.shadowCandidates {
            self.write(group.directory)
            self.write(group.names)
        }
        self.write(record.allowTimeMacros)
        self.write(record.pinnedDirectory)
        self.write(record.pinOnFileMacro)
        self.write(record.searchDirectories)
        self.write(record.compileStarted)
        self.write(record.includerDirectories != nil)
        if let directories = record.includerDirectories { self.write(directories) }
        self.write(record.environmentDependencies)
    }

    /// Writes a count, then each string.
    mutating func write(_ strings: [String]) {
        self.write(UInt32(strings.count))
        for string in strings { self.write(string) }
    }

    mutating func write(_ counters: [WireCounter]) {
        self.write(UInt32(counters.count))
        for counter in counters {
            self.write(counter.id)
            self.write(counter.value)
        }
    }
}

extension WireReader {
    mutating func readStamp() throws(WireError) -> WireFileStamp {
        WireFileStamp(
            size: try self.readUInt64(),
            mtimeNanoseconds: try self.readInt64(),
            ctimeNanoseconds: try self.readInt64(),
            inode: try self.readUInt64(),
            device: try self.readUInt64()
        )
    }

    mutating func readOutputs() throws(WireError) -> [WireOutput] {
        let count = try self.readCount(minimumElementSize: 46)
        var outputs: [WireOutput] = []
        for _ in 0..<count {
            outputs.append(
                WireOutput(
                    role: try self.readUInt8(),
                    path: try self.readString(),
                    flag: try self.readBool(),
                    stamp: try self.readStamp()
                )
            )
        }
        return outputs
    }

    mutating func readManifestRecord() throws(WireError) -> WireManifestRecord {
        let manifestKey = try self.readString()
        let resultKey = try self.readString()
        let directory = try self.readString()
        let includes = try self.readStrings()
        let absent = try self.readStrings()
        var candidates: [WireCandidateGroup] = []
        for _ in 0..<(try self.readCount(minimumElementSize: 8)) {
            candidates.append(WireCandidateGroup(directory: try self.readString(), names: try self.readStrings()))
        }
        return WireManifestRecord(
            manifestKey: manifestKey,
            resultKey: resultKey,
            workingDirectory: directory,
            includes: includes,
            absentPaths: absent,
            shadowCandidates: candidates,
            allowTimeMacros: try self.readBool(),
            pinnedDirectory: try self.readString(),
            pinOnFileMacro: try self.readBool(),
            searchDirectories: try self.readStrings(),
            compileStarted: try self.readInt64(),
            includerDirectories: try self.readBool() ? try self.readStrings() : nil,
            environmentDependencies: try self.readStrings()
        )
    }

    mutating func readStrings() throws(WireError) -> [String] {
        var strings: [String] = []
        for _ in 0..<(try self.readCount(minimumElementSize: 4)) { strings.append(try self.readString()) }
        return strings
    }

    mutating func readCounters() throws(WireError) -> [WireCounter] {
        let count = try self.readCount(minimumElementSize: 10)
        var counters: [WireCounter] = []
        for _ in 0..<count {
            counters.append(WireCounter(id: try self.readUInt16(), value: try self.readUInt64()))
        }
        return counters
    }
}

/// Error codes carried by ``Response/error(code:message:)`` (docs/wire-protocol.md, "Errors").
public enum WireErrorCode {
    /// The request could not be decoded.
    public static let badRequest: UInt16 = 1
    /// A path failed validation.
    public static let invalidPath: UInt16 = 2
    /// The protocol versions differ.
    public static let versionMismatch: UInt16 = 3
    /// The daemon failed internally.
    public static let internalError: UInt16 = 4
}
