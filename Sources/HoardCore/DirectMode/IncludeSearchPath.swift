public import HoardWire

/// The directories the preprocessor searches, in order, as `-v` reports them.
public struct IncludeSearchPath: Equatable, Sendable {
    /// Directories searched for `#include "..."` only (`-iquote`), in order.
    public var quoteDirectories: [String]
    /// Directories searched for both forms (`-I`, `-isystem`, system directories, `-idirafter`), in order.
    public var angleDirectories: [String]
    /// Directories the preprocessor left out because they did not exist.
    ///
    /// `-v` says `ignoring nonexistent directory` but not where in the search they were. One may exist by the next
    /// compile, so each counts as searched first.
    public var missingDirectories: [String]

    /// Creates a search path.
    public init(quoteDirectories: [String], angleDirectories: [String], missingDirectories: [String] = []) {
        self.quoteDirectories = quoteDirectories
        self.angleDirectories = angleDirectories
        self.missingDirectories = missingDirectories
    }

    /// Parses the search list that gcc and clang print to stderr with `-v`.
    ///
    /// - Parameter verboseOutput: the preprocessor's stderr.
    /// - Returns: the search path, or `nil` if the output has no search list or the search uses a header map.
    public static func parse(verboseOutput: [UInt8]) -> IncludeSearchPath? {
        var quote: [String] = []
        var angle: [String] = []
        var missing: [String] = []
        var section = 0
        var found = false
        for rawLine in String(decoding: verboseOutput, as: UTF8.self).split(separator: "\n") {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let ignored = "ignoring nonexistent directory \""
            if line.hasPrefix(ignored) && line.hasSuffix("\"") && line.count > ignored.count + 1 {
                missing.append(Self.trimmed(String(line.dropFirst(ignored.count).dropLast())))
            } else if let notDirectory = Self.notADirectory(line) {
                missing.append(notDirectory)
            } else if line.hasPrefix("#include \"...\" search starts here:") {
                section = 1
                found = true
            } else if line.hasPrefix("#include <...> search starts here:") {
                section = 2
                found = true
            } else if line.hasPrefix("End of search list.") {
                section = 0
            } else if section != 0 && line.hasPrefix(" ") {
                // clang marks framework directories, and header maps: a map sends names anywhere, and its content
                // is not recorded, so no search list is known.
                if line.hasSuffix(" (framework directory)") { continue }
                if line.hasSuffix(" (headermap)") { return nil }
                let directory = Self.trimmed(String(line.dropFirst()))
                if section == 1 { quote.append(directory) } else { angle.append(directory) }
            }
        }
        guard found else { return nil }
        return IncludeSearchPath(quoteDirectories: quote, angleDirectories: angle, missingDirectories: missing)
    }

    /// The path in gcc's warning that a search directory is something else (`cc1: warning: X: not a directory`): it
    /// is left out of the search like a missing one, and may be a directory by the next compile.
    private static func notADirectory(_ line: Substring) -> String? {
        let suffix = ": not a directory"
        guard line.hasSuffix(suffix) else { return nil }
        let marker = Array(": warning: ".utf8)
        let bytes = Array(line.utf8)
        guard bytes.count > marker.count + suffix.utf8.count else { return nil }
        for start in 0...(bytes.count - marker.count) where bytes[start..<(start + marker.count)].elementsEqual(marker)
        {
            let path = bytes[(start + marker.count)..<(bytes.count - suffix.utf8.count)]
            return path.isEmpty ? nil : Self.trimmed(String(decoding: path, as: UTF8.self))
        }
        return nil
    }

    /// A directory as printed, without the trailing slashes gcc may print.
    private static func trimmed(_ printed: String) -> String {
        var directory = printed
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        return directory
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
        let includers = Self.directories(of: inclusion.includer.map { [$0] } ?? [])
        return self.shadowCandidateGroups(for: [(inclusion.path, includers)]).flatMap(\.paths)
            .filter { $0 != inclusion.path }
    }

    /// All directories in search order, the missing ones first, then the quote directories.
    public var allDirectories: [String] { self.missingDirectories + self.quoteDirectories + self.angleDirectories }

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
            let candidate = Self.join(directory, name)
            if !candidates.contains(candidate) { candidates.append(candidate) }
        }
        return candidates
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

    /// Returns where a new file would take the place of any of `includes`, grouped by the directory that would
    /// hold it: for each include, its name in every directory searched before the one it was found in, for every
    /// way its path splits into a directory and a name (see ``shadowCandidates(for:)``).
    ///
    /// The work is done once per distinct name and directory, not once per include: a compile's includes share
    /// most of their names' directories, and a depend-mode compile shares one list of includer directories.
    ///
    /// - Parameter includes: each include as spelled, with the directories of the files that may have included it
    ///   (from ``directories(of:)``), which are searched first, as for `#include "..."`.
    /// - Returns: groups in a stable order, each directory once and each name once within it. An include's own path
    ///   may be among them (it exists, so it is never absent).
    public func shadowCandidateGroups(
        for includes: [(path: String, includerDirectories: [String])]
    ) -> [ShadowCandidateGroup] {
        var directories = StringTable()
        let searchIDs = self.allDirectories.map { directories.id(of: $0) }
        // Per name (a path relative to some searched directory): the directories it would be looked up in first.
        var names = StringTable()
        var earlierDirectories: [IDSet] = []
        var includers: [String]?
        var order: [Int] = []
        var searchedBefore: [IDSet] = []  // per position in `order`: the directories before it
        for include in includes {
            if includers != include.includerDirectories {
                includers = include.includerDirectories
                order = include.includerDirectories.map { directories.id(of: $0) } + searchIDs
                searchedBefore = [IDSet()]
                for id in order.dropLast() {
                    searchedBefore.append(searchedBefore[searchedBefore.count - 1].adding(id))
                }
            }
            for index in order.indices where index > 0 {
                guard let name = Self.name(of: include.path, under: directories.strings[order[index]]) else { continue }
                let nameID = names.id(of: name)
                if nameID == earlierDirectories.count { earlierDirectories.append(IDSet()) }
                earlierDirectories[nameID].formUnion(searchedBefore[index])
            }
        }
        // Regroup by the directory that would hold each candidate (a name may have directories of its own).
        var subdirectories = StringTable()
        var baseNames = StringTable()
        var parts: [(subdirectory: Int, baseName: Int)] = []
        parts.reserveCapacity(names.strings.count)
        for name in names.strings {
            let slash = name.utf8.lastIndex(of: UInt8(ascii: "/"))
            let subdirectory = slash.map { String(name[..<$0]) } ?? ""
            let baseName = slash.map { String(name[name.utf8.index(after: $0)...]) } ?? name
            parts.append((subdirectories.id(of: subdirectory), baseNames.id(of: baseName)))
        }
        var groups: [ShadowCandidateGroup] = []
        var groupIDs = StringTable()
        // Per directory and subdirectory: the group, or -1 (both are small numbers: a table, not a dictionary).
        let subdirectoryCount = subdirectories.strings.count
        var groupOfPair = [Int](repeating: -1, count: directories.strings.count * subdirectoryCount)
        var seenInGroup: [IDSet] = []  // per group: the base names' ids
        for (nameID, part) in parts.enumerated() {
            earlierDirectories[nameID].forEach { directoryID in
                let pair = directoryID * subdirectoryCount + part.subdirectory
                var group = groupOfPair[pair]
                if group < 0 {
                    let subdirectory = subdirectories.strings[part.subdirectory]
                    let holder =
                        subdirectory.isEmpty
                        ? directories.strings[directoryID] : Self.join(directories.strings[directoryID], subdirectory)
                    group = groupIDs.id(of: holder)
                    if group == groups.count {
                        groups.append(ShadowCandidateGroup(directory: holder, names: []))
                        seenInGroup.append(IDSet())
                    }
                    groupOfPair[pair] = group
                }
                if !seenInGroup[group].contains(part.baseName) {
                    seenInGroup[group].insert(part.baseName)
                    groups[group].names.append(baseNames.strings[part.baseName])
                }
            }
        }
        return groups
    }

    /// The rest of `path` after `directory` and a slash, or `nil` if `path` is not under it (`""` is the working
    /// directory, which holds relative paths only).
    private static func name(of path: String, under directory: String) -> String? {
        if directory.isEmpty { return path.hasPrefix("/") ? nil : path }
        let prefixCount = directory == "/" ? 1 : directory.utf8.count + 1
        guard path.utf8.count > prefixCount, path.utf8.starts(with: directory.utf8) else { return nil }
        let separator = path.utf8.index(path.utf8.startIndex, offsetBy: prefixCount - 1)
        guard path.utf8[separator] == UInt8(ascii: "/") else { return nil }
        return String(path[path.utf8.index(after: separator)...])
    }

    /// `name` in `directory`, spelled as the includes spell paths (`""` is the working directory).
    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : (directory == "/" ? "/" + name : directory + "/" + name)
    }
}

/// Where new files would take the place of includes: names in one directory.
///
/// `directory` is spelled like the includes (`""` is the working directory); `names` have no slashes, each once.
/// The same value crosses the socket for the daemon to check.
public typealias ShadowCandidateGroup = WireCandidateGroup

extension ShadowCandidateGroup {
    /// The candidates as paths, spelled like the includes.
    public var paths: [String] { self.names.map(self.path(of:)) }

    /// One of `names` as a path, spelled like the includes.
    public func path(of name: String) -> String { IncludeSearchPath.join(self.directory, name) }
}

/// A set of small numbers (ids from a ``StringTable``), as bits.
private struct IDSet {
    private var words: [UInt64] = []

    func contains(_ member: Int) -> Bool {
        member / 64 < self.words.count && self.words[member / 64] & (1 << UInt64(member % 64)) != 0
    }

    mutating func insert(_ member: Int) {
        while self.words.count <= member / 64 { self.words.append(0) }
        self.words[member / 64] |= 1 << UInt64(member % 64)
    }

    func adding(_ member: Int) -> IDSet {
        var result = self
        result.insert(member)
        return result
    }

    mutating func formUnion(_ other: IDSet) {
        while self.words.count < other.words.count { self.words.append(0) }
        for index in other.words.indices { self.words[index] |= other.words[index] }
    }

    /// Calls `body` with each member in increasing order.
    func forEach(_ body: (Int) -> Void) {
        for (index, word) in self.words.enumerated() {
            var rest = word
            while rest != 0 {
                body(index * 64 + rest.trailingZeroBitCount)
                rest &= rest - 1
            }
        }
    }
}

/// Strings numbered in the order first seen.
private struct StringTable {
    var strings: [String] = []
    private var ids: [String: Int] = [:]

    mutating func id(of string: String) -> Int {
        if let id = self.ids[string] { return id }
        self.ids[string] = self.strings.count
        self.strings.append(string)
        return self.strings.count - 1
    }
}
