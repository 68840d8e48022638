public import HoardWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from a system call, carrying `errno` and what was being done.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// The value of `errno` after the failing call.
    public var errno: Int32
    /// What was being attempted, such as `open /tmp/a.o`.
    public var operation: String

    /// Creates an error from an `errno` value.
    ///
    /// - Parameters:
    ///   - operation: what was being attempted.
    ///   - errno: the error number; the current `errno` by default.
    public init(_ operation: String, errno: Int32 = currentErrno()) {
        self.errno = errno
        self.operation = operation
    }

    public var description: String {
        "\(self.operation): \(String(cString: strerror(self.errno)))"
    }
}

/// Returns the calling thread's `errno`.
public func currentErrno() -> Int32 {
    errno
}

/// Identifies one version of a file cheaply: if any field changes, the content may have.
///
/// The same value crosses the socket, so it is the wire type itself.
public typealias FileStamp = WireFileStamp

extension FileStamp {
    /// The fields in a fixed order (size, modification and status change times, inode, device), for keys and files.
    public var fields: [UInt64] {
        [
            self.size, UInt64(bitPattern: self.mtimeNanoseconds), UInt64(bitPattern: self.ctimeNanoseconds), self.inode,
            self.device,
        ]
    }

    /// Tells whether the file was modified, or its status changed, at or after `time` (nanoseconds since the epoch,
    /// as ``WallClock`` reads it).
    public func changed(since time: Int64) -> Bool {
        self.mtimeNanoseconds >= time || self.ctimeNanoseconds >= time
    }

    /// The stamp of a `stat` result.
    public init(_ status: stat) {
        self.init(
            size: UInt64(status.st_size),
            mtimeNanoseconds: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec),
            ctimeNanoseconds: Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec),
            inode: UInt64(status.st_ino),
            device: UInt64(status.st_dev)
        )
    }
}

/// Small, Foundation-free file operations for the client and the daemon.
public enum FileSystem {
    /// Returns the stamp of the regular file at `path`, following symlinks, or `nil` if it is missing or not regular.
    ///
    /// - Parameter path: the file.
    /// - Returns: the stamp, or `nil`.
    public static func stamp(of path: String) -> FileStamp? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return FileStamp(status)
    }

    /// Returns the stamp of an open file descriptor.
    ///
    /// - Parameter descriptor: an open file.
    /// - Returns: the stamp, or `nil` if `fstat` failed.
    public static func stamp(ofDescriptor descriptor: Int32) -> FileStamp? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        return FileStamp(status)
    }

    /// Tells whether `path` names a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }

    /// Tells whether `path` names a regular file.
    public static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    }

    /// Tells whether `path` names an executable regular file.
    public static func isExecutableFile(_ path: String) -> Bool {
        self.isRegularFile(path) && access(path, X_OK) == 0
    }

    /// Reads a whole file.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the largest size accepted.
    /// - Returns: its bytes.
    /// - Throws: ``SystemError`` if it cannot be opened or read, or is larger than `limit`.
    public static func read(_ path: String, limit: Int = Int.max) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError("open \(path)") }
        defer { close(descriptor) }
        return try self.readAll(descriptor, path: path, limit: limit)
    }

    /// Reads an open descriptor to its end.
    ///
    /// - Parameters:
    ///   - descriptor: an open file or pipe.
    ///   - path: named in errors.
    ///   - limit: the largest size accepted.
    /// - Returns: its bytes.
    /// - Throws: ``SystemError`` on a read error or when the data exceeds `limit`.
    public static func readAll(_ descriptor: Int32, path: String, limit: Int = Int.max) throws(SystemError) -> [UInt8] {
        var status = stat()
        var capacity = 64 * 1024
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG {
            capacity = max(Int(status.st_size) + 1, 16)
        }
        if capacity - 1 > limit { throw SystemError("read \(path): larger than \(limit) bytes", errno: EFBIG) }
        var bytes = [UInt8](repeating: 0, count: capacity)
        var used = 0
        while true {
            if used == bytes.count {
                if bytes.count > limit { throw SystemError("read \(path): larger than \(limit) bytes", errno: EFBIG) }
                bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes { raw in
                Glibc.read(descriptor, raw.baseAddress.map { $0 + used }, raw.count - used)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError("read \(path)")
            }
            if count == 0 { break }
            used += count
        }
        if used > limit { throw SystemError("read \(path): larger than \(limit) bytes", errno: EFBIG) }
        bytes.removeLast(bytes.count - used)
        return bytes
    }

    /// Lists a directory's entries, without `.` and `..`.
    ///
    /// - Parameter path: the directory.
    /// - Returns: the entry names, unsorted; empty if the directory cannot be read.
    public static func listDirectory(_ path: String) -> [String] {
        self.readDirectory(path) ?? []
    }

    /// Lists a directory's entries, without `.` and `..`, or returns `nil` (with `errno` set) if it cannot be
    /// read to the end.
    ///
    /// - Parameter path: the directory.
    /// - Returns: the entry names, unsorted.
    public static func readDirectory(_ path: String) -> [String]? {
        var names: [String] = []
        let complete = self.forEachEntry(inDirectory: path) { names.append(String(decoding: $0, as: UTF8.self)) }
        return complete ? names : nil
    }

    /// Calls `body` with each entry's name as raw bytes (without `.` and `..`) and no copy into a `String`.
    ///
    /// - Parameters:
    ///   - path: the directory.
    ///   - body: called once per entry; the bytes are valid during the call only.
    /// - Returns: `false` (with `errno` set) if the directory cannot be read to the end.
    public static func forEachEntry(inDirectory path: String, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard let handle = opendir(path) else { return false }
        defer { closedir(handle) }
        errno = 0
        while let entry = readdir(handle) {
            withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let name = UnsafeRawBufferPointer(rebasing: raw[..<(raw.firstIndex(of: 0) ?? raw.count)])
                let dot = UInt8(ascii: ".")
                if name.count <= 2 && name.allSatisfy({ $0 == dot }) { return }
                body(name)
            }
        }
        return errno == 0
    }

    /// Hashes a file with BLAKE3, a megabyte at a time (compilers' libraries are hundreds of megabytes).
    ///
    /// - Parameter path: the file.
    /// - Returns: the 32-byte digest.
    /// - Throws: ``SystemError`` if it cannot be opened or read.
    public static func digest(of path: String) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError("open \(path)") }
        defer { close(descriptor) }
        var hasher = BLAKE3()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw SystemError("read \(path)") }
            if count == 0 { break }
            buffer.withUnsafeBufferPointer { hasher.update(UnsafeBufferPointer(rebasing: $0[0..<count])) }
        }
        return hasher.finalize()
    }

    /// Writes all of `bytes` to a descriptor, retrying short writes.
    ///
    /// - Parameters:
    ///   - bytes: what to write.
    ///   - descriptor: an open descriptor.
    /// - Throws: ``SystemError`` on a write error.
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws(SystemError) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(descriptor, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError("write")
            }
            pointer += written
            remaining -= written
        }
    }

    /// Writes all of `bytes` to a descriptor.
    ///
    /// - Parameters:
    ///   - bytes: what to write.
    ///   - descriptor: an open descriptor.
    /// - Throws: ``SystemError`` on a write error.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(SystemError) {
        let failure = bytes.withUnsafeBytes { raw -> SystemError? in
            do throws(SystemError) {
                try self.writeAll(raw, to: descriptor)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Writes a file atomically: a temporary file beside `path`, then a rename over it.
    ///
    /// - Parameters:
    ///   - bytes: the content.
    ///   - path: the destination.
    ///   - mode: permission bits for the new file.
    ///   - removingFirst: remove the old file just before the rename. ext4 (`auto_da_alloc`) starts writing a file
    ///     to disk when it is renamed over another; without the old file it does not, and a reader may find no file
    ///     for a moment instead of the old one.
    /// - Throws: ``SystemError`` if any step fails; the temporary file is removed.
    public static func writeAtomically(
        _ bytes: [UInt8],
        to path: String,
        mode: mode_t = 0o644,
        removingFirst: Bool = false
    ) throws(SystemError) {
        let temporary = self.temporaryPath(beside: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw SystemError("create \(temporary)") }
        do throws(SystemError) {
            try self.writeAll(bytes, to: descriptor)
            if fchmod(descriptor, mode) != 0 { throw SystemError("chmod \(temporary)") }
            if close(descriptor) != 0 { throw SystemError("close \(temporary)") }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        if removingFirst { unlink(path) }
        guard rename(temporary, path) == 0 else {
            let error = SystemError("rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
    }

    /// Returns a unique temporary name in the directory of `path`.
    ///
    /// - Parameter path: the file the temporary will replace.
    /// - Returns: a path that does not exist yet (with overwhelming probability).
    public static func temporaryPath(beside path: String) -> String {
        let directory = Path.directory(of: path)
        let name = Path.baseName(of: path)
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return Path.join(directory, ".\(name).hoard-\(getpid())-\(suffix).tmp")
    }

    /// Creates a directory and its missing parents.
    ///
    /// - Parameters:
    ///   - path: the directory.
    ///   - mode: permission bits for the directories created.
    /// - Throws: ``SystemError`` if a component cannot be created.
    public static func createDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if self.isDirectory(path) { return }
        let parent = Path.directory(of: path)
        if parent != path && !parent.isEmpty { try self.createDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemError("mkdir \(path)") }
    }

    /// Resolves symlinks, `.` and `..` in `path`.
    ///
    /// - Parameter path: an existing path.
    /// - Returns: the canonical absolute path, or `nil` if it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The absolute path of this process's executable, symbolic links resolved: the kernel's answer for
    /// `/proc/self/exe`, one `readlink` where `realpath` would take one per path component.
    public static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0, buffer[0] == CChar(UInt8(ascii: "/")) else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Returns the current working directory.
    public static func currentDirectory() -> String {
        if let pwd = getenv("PWD").map({ String(cString: $0) }), pwd.hasPrefix("/"),
            let a = FileSystem.stamp(ofDirectory: pwd), let b = FileSystem.stamp(ofDirectory: ".")
        {
            if a.inode == b.inode && a.device == b.device { return pwd }
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func stamp(ofDirectory path: String) -> FileStamp? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileStamp(status)
    }

    /// Removes a file, ignoring a missing one.
    public static func remove(_ path: String) {
        unlink(path)
    }
}

/// The process environment, read without Foundation.
public enum Environment {
    /// Returns the value of an environment variable.
    ///
    /// - Parameter name: the variable.
    /// - Returns: its value, or `nil` if unset.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Returns `entries` (the environment) with messages in English, every other locale category kept: for a
    /// compiler whose output is parsed (`-v`), whose translations would hide what it says.
    ///
    /// `LC_ALL` would override `LC_MESSAGES`, so it becomes `LANG` (every category but the ones set one by one,
    /// which `LC_ALL` was overriding and are dropped); `LANGUAGE` would override both, so it is dropped.
    ///
    /// - Parameter entries: `NAME=value` entries.
    /// - Returns: the entries to run the compiler with.
    public static func withUntranslatedMessages(_ entries: [String] = Self.all()) -> [String] {
        let all = entries.last { $0.hasPrefix("LC_ALL=") }.map { String($0.dropFirst("LC_ALL=".count)) } ?? ""
        var result = entries.filter { entry in
            if entry.hasPrefix("LANGUAGE=") || entry.hasPrefix("LC_MESSAGES=") || entry.hasPrefix("LC_ALL=") {
                return false
            }
            return all.isEmpty || !(entry.hasPrefix("LANG=") || entry.hasPrefix("LC_"))
        }
        if !all.isEmpty { result.append("LANG=" + all) }
        result.append("LC_MESSAGES=C")
        return result
    }

    /// Returns every `NAME=value` entry of the environment.
    public static func all() -> [String] {
        var result: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            result.append(String(cString: entry))
            pointer += 1
        }
        return result
    }
}

/// The wall clock in nanoseconds since the epoch, comparable with file times.
public enum WallClock {
    /// Returns the current time in nanoseconds since the epoch, as the kernel stamps files: a file changed after
    /// this call never has an earlier time.
    ///
    /// This is the coarse clock (`CLOCK_REALTIME_COARSE`), a few milliseconds behind the precise one: file times
    /// come from it, so a file written just after a precise reading can carry an earlier time (about one write in
    /// two thousand here), and a change made during a compile would look older than the compile.
    public static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

/// A monotonic clock in nanoseconds.
public enum MonotonicClock {
    /// Returns the current monotonic time in nanoseconds.
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
