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
        let me = FileSystem.executablePath()
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

    /// Returns the file `candidate` resolves to, or `nil` if it is Hoard or another compiler cache.
    private static func compiler(_ candidate: String, me: String?) -> String? {
        guard let real = FileSystem.realPath(candidate) else { return nil }
        if real == me { return nil }
        let base = Path.baseName(of: real)
        return self.wrapperNames.contains(base) || base == "hoardd" ? nil : real
    }
}
