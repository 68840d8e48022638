/// The directories the preprocessor searches, in order, as `-v` reports them.
public struct IncludeSearchPath: Equatable, Sendable {
    /// Directories searched for `#include "..."` only (`-iquote`), in order.
    public var quoteDirectories: [String]
    /// Directories searched for both forms (`-I`, `-isystem`, system directories, `-idirafter`), in order.
    public var angleDirectories: [String]

    /// Creates a search path.
    public init(quoteDirectories: [String], angleDirectories: [String]) {
        self.quoteDirectories = quoteDirectories
        self.angleDirectories = angleDirectories
    }

    /// Parses the search list that gcc and clang print to stderr with `-v`.
    ///
    /// - Parameter verboseOutput: the preprocessor's stderr.
    /// - Returns: the search path, or `nil` if the output has no search list.
    public static func parse(verboseOutput: [UInt8]) -> IncludeSearchPath? {
        var quote: [String] = []
        var angle: [String] = []
        var section = 0
        var found = false
        for rawLine in String(decoding: verboseOutput, as: UTF8.self).split(separator: "\n") {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.hasPrefix("#include \"...\" search starts here:") {
                section = 1
                found = true
            } else if line.hasPrefix("#include <...> search starts here:") {
                section = 2
                found = true
            } else if line.hasPrefix("End of search list.") {
                section = 0
            } else if section != 0 && line.hasPrefix(" ") {
                var directory = String(line.dropFirst())
                // clang marks framework directories; gcc may print a trailing slash.
                if directory.hasSuffix(" (framework directory)") { continue }
                while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
                if section == 1 { quote.append(directory) } else { angle.append(directory) }
            }
        }
        return found ? IncludeSearchPath(quoteDirectories: quote, angleDirectories: angle) : nil
    }

    /// Returns the paths where a new file would take the place of `inclusion`.
    ///
    /// That is the same name in every directory searched before the one it was found in. The includer's own
    /// directory counts first, as for a quoted include (the form of the directive is unknown, so the wider search
    /// is assumed), and every way the path splits into a search directory and a name is considered.
    ///
    /// - Parameter inclusion: an included file and its includer.
    /// - Returns: candidate paths, spelled like the inclusion (relative paths stay relative).
    public func shadowCandidates(for inclusion: LineMarkers.Inclusion) -> [String] {
        self.shadowCandidates(for: inclusion.path, includers: inclusion.includer.map { [$0] } ?? [])
    }

    /// All directories in search order, quote directories first.
    public var allDirectories: [String] { self.quoteDirectories + self.angleDirectories }

    /// Returns every path where `__has_include(name)` in the file `includer` may look: the includer's directory, then
    /// every search directory.
    ///
    /// - Parameters:
    ///   - name: the queried header name.
    ///   - includer: the file holding the query, spelled like the includes.
    ///   - searchDirectories: the search directories in order.
    /// - Returns: the candidate paths.
    public static func queryCandidates(for name: String, in includer: String, searchDirectories: [String]) -> [String] {
        if name.hasPrefix("/") { return [name] }
        let includerDirectory = includer.contains("/") ? Path.directory(of: includer) : ""
        var candidates: [String] = []
        for directory in [includerDirectory] + searchDirectories {
            let candidate = directory.isEmpty ? name : (directory == "/" ? "/" + name : directory + "/" + name)
            if !candidates.contains(candidate) { candidates.append(candidate) }
        }
        return candidates
    }

    /// Returns the shadowing candidates of `path` when any of `includers` may have included it.
    ///
    /// - Parameters:
    ///   - path: the include as spelled.
    ///   - includers: the files that may have included it (their directories are searched first).
    /// - Returns: candidate paths, spelled like the inclusion.
    public func shadowCandidates(for path: String, includers: [String]) -> [String] {
        self.shadowCandidates(for: path, includerDirectories: Self.directories(of: includers))
    }

    /// The distinct directories of `files` (spelled like includes; `""` for the working directory), in order.
    public static func directories(of files: [String]) -> [String] {
        var directories: [String] = []
        var seen: Set<String> = []
        for file in files {
            let directory = file.contains("/") ? Path.directory(of: file) : ""
            if seen.insert(directory).inserted { directories.append(directory) }
        }
        return directories
    }

    /// Returns the shadowing candidates of `path` when it may have been included from any of
    /// `includerDirectories` (searched first, as for `#include "..."`).
    ///
    /// - Parameters:
    ///   - path: the include as spelled.
    ///   - includerDirectories: the directories of the files that may have included it, from ``directories(of:)``.
    /// - Returns: the candidate paths, each once.
    public func shadowCandidates(for path: String, includerDirectories: [String]) -> [String] {
        let inclusion = LineMarkers.Inclusion(path: path, includer: nil)
        let directories = includerDirectories + self.quoteDirectories + self.angleDirectories
        var candidates: [String] = []
        var seen: Set<String> = [inclusion.path]
        for (index, directory) in directories.enumerated() {
            if directory.isEmpty && inclusion.path.hasPrefix("/") { continue }
            let prefix = directory.isEmpty ? "" : (directory == "/" ? "/" : directory + "/")
            guard inclusion.path.hasPrefix(prefix), inclusion.path.utf8.count > prefix.utf8.count else { continue }
            let name = String(inclusion.path.utf8.dropFirst(prefix.utf8.count)) ?? ""
            for earlier in directories[..<index] {
                let candidate = earlier.isEmpty ? name : (earlier == "/" ? "/" + name : earlier + "/" + name)
                if seen.insert(candidate).inserted { candidates.append(candidate) }
            }
        }
        return candidates
    }
}
