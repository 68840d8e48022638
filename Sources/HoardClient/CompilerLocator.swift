import Glibc
import HoardCore

/// Finds the real compiler: an explicit path, or the first match on `PATH` that is not Hoard or another wrapper.
enum CompilerLocator {
    /// Names of compiler caches whose binaries we must skip, or we would call them (or ourselves) in a loop.
    ///
    /// An array, not a `Set`: a `Set<String>` costs the client a runtime conformance lookup at start-up.
    static let wrapperNames = ["hoard", "ccache", "sccache", "distcc", "icecc"]

    /// Resolves the compiler named `name`.
    ///
    /// - Parameters:
    ///   - name: a path (with `/`) or a bare name searched on `PATH`.
    ///   - path: the `PATH` value.
    /// - Returns: the path to run, the file it resolves to and that file's stamp, or `nil` if nothing suitable was
    ///   found.
    static func locate(_ name: String, path: String?) -> Compiler? {
        let me = Self.ownFile()
        if name.contains("/") { return self.compiler(name, me: me) }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = Path.join(directory.isEmpty ? "." : String(directory), name)
            if let compiler = self.compiler(candidate, me: me) { return compiler }
        }
        return nil
    }

    /// A compiler found: the path to run, the file it resolves to, and that file's stamp.
    typealias Compiler = (path: String, realPath: String, stamp: FileStamp)

    /// Returns `candidate` if it is an executable file that is not Hoard (under any name or link) or another
    /// compiler cache.
    private static func compiler(_ candidate: String, me: (device: UInt64, inode: UInt64)?) -> Compiler? {
        // `stat` follows links, so this is the stamp of the file the real path names.
        guard let stamp = FileSystem.stamp(of: candidate), access(candidate, X_OK) == 0 else { return nil }
        if let me, stamp.device == me.device && stamp.inode == me.inode { return nil }
        guard let real = FileSystem.realPath(candidate) else { return nil }
        if me == nil && real == FileSystem.executablePath() { return nil }
        let base = Path.baseName(of: real)
        return self.wrapperNames.contains(base) || base == "hoardd" ? nil : (candidate, real, stamp)
    }

    /// The device and inode of this executable, from the path the kernel started it by (`AT_EXECFN`, relative to
    /// the unchanged working directory): a `stat`, where resolving `/proc/self/exe` costs several times more.
    private static func ownFile() -> (device: UInt64, inode: UInt64)? {
        guard let name = UnsafePointer<CChar>(bitPattern: auxiliaryValue(31)) else { return nil }  // AT_EXECFN
        var status = stat()
        guard stat(name, &status) == 0 else { return nil }
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }
}

/// glibc's `getauxval`, which the Swift Glibc module does not export (`sys/auxv.h`).
@_silgen_name("getauxval")
private func auxiliaryValue(_ type: UInt) -> UInt
