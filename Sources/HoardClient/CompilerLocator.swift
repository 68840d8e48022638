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
    /// - Returns: the path to run and the file it resolves to, or `nil` if nothing suitable was found.
    static func locate(_ name: String, path: String?) -> (path: String, realPath: String)? {
        let me = Self.ownFile()
        if name.contains("/") {
            guard FileSystem.isExecutableFile(name), let real = self.compiler(name, me: me) else { return nil }
            return (name, real)
        }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = Path.join(directory.isEmpty ? "." : String(directory), name)
            if FileSystem.isExecutableFile(candidate), let real = self.compiler(candidate, me: me) {
                return (candidate, real)
            }
        }
        return nil
    }

    /// Returns the file `candidate` resolves to, or `nil` if it is Hoard (under any name or link) or another
    /// compiler cache.
    private static func compiler(_ candidate: String, me: (device: UInt64, inode: UInt64)?) -> String? {
        guard let stamp = FileSystem.stamp(of: candidate) else { return nil }
        if let me, stamp.device == me.device && stamp.inode == me.inode { return nil }
        guard let real = FileSystem.realPath(candidate) else { return nil }
        if me == nil && real == FileSystem.executablePath() { return nil }
        let base = Path.baseName(of: real)
        return self.wrapperNames.contains(base) || base == "hoardd" ? nil : real
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
