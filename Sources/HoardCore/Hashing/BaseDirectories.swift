/// Rewrites absolute paths under the configured base directories to paths relative to the working directory, in
/// everything that enters a key, so the same project built in two checkouts shares hits (docs/cache-key.md,
/// "Base directories").
///
/// Only the key sees rewritten paths; the compiler always runs with the command line as given. When debug info is
/// generated, a path is rewritten only if a `-fdebug-prefix-map`/`-ffile-prefix-map` covers it, because otherwise
/// the object embeds it.
public struct BaseDirectories: Sendable {
    /// The base directories: absolute and normalized.
    public let directories: [String]
    /// The absolute working directory.
    public let workingDirectory: String
    /// The absolute directory that rewritten paths are made relative to: the working directory, unless the
    /// compiler's outputs are anchored elsewhere (rustc's `--out-dir`).
    public let anchor: String
    /// `OLD=NEW` pairs from `-fdebug-prefix-map` and `-ffile-prefix-map`.
    public let prefixMaps: [(old: String, new: String)]
    /// Debug info is generated: only prefix-mapped paths may be rewritten.
    public let debugInfo: Bool

    /// Options whose value, glued on, is a path.
    private static let joinedPathOptions = [
        "-I", "-L", "-B", "-F", "-iquote", "-isystem", "-idirafter", "-include", "-imacros", "-iprefix", "-isysroot",
        "-iwithprefix", "-iwithprefixbefore", "-MF", "-MT", "-MQ", "-o",
    ]

    /// Creates a rewriter.
    ///
    /// - Parameters:
    ///   - directories: the base directories (ignored unless absolute).
    ///   - workingDirectory: the absolute working directory.
    ///   - arguments: the compile's arguments, for prefix maps.
    ///   - debugInfo: whether the object embeds paths in debug info.
    ///   - anchor: the absolute directory rewritten paths are relative to (the working directory if `nil`).
    public init(
        _ directories: [String],
        workingDirectory: String,
        arguments: [String] = [],
        debugInfo: Bool = false,
        anchor: String? = nil
    ) {
        self.directories = directories.filter { $0.hasPrefix("/") }.map { Path.normalize($0) }.filter { $0 != "/" }
        self.workingDirectory = workingDirectory
        self.anchor = anchor ?? workingDirectory
        var maps: [(String, String)] = []
        var previous = ""
        for argument in arguments {
            var mapping: Substring?
            for option in ["-fdebug-prefix-map=", "-ffile-prefix-map=", "--remap-path-prefix="]
            where argument.hasPrefix(option) {
                mapping = argument.dropFirst(option.count)
            }
            if previous == "--remap-path-prefix" { mapping = Substring(argument) }
            if let value = mapping, let equals = value.firstIndex(of: "=") {
                maps.append((String(value[..<equals]), String(value[value.index(after: equals)...])))
            }
            previous = argument
        }
        self.prefixMaps = maps
        self.debugInfo = debugInfo
    }

    /// Tells whether any base directory is configured.
    public var isActive: Bool { !self.directories.isEmpty }

    /// The working directory as debug info records it: with the first matching prefix map applied.
    public var mappedWorkingDirectory: String {
        self.applyPrefixMap(self.workingDirectory) ?? self.workingDirectory
    }

    private func applyPrefixMap(_ path: String) -> String? {
        for map in self.prefixMaps.reversed() where path == map.old || path.hasPrefix(map.old + "/") {
            return map.new + path.dropFirst(map.old.count)
        }
        return nil
    }

    /// Returns `path` relative to the anchor if it lies under a base directory (and may be rewritten).
    public func rewritePath(_ path: String) -> String {
        guard self.isActive, path.hasPrefix("/") else { return path }
        let normalized = Path.normalize(path)
        guard self.directories.contains(where: { normalized == $0 || normalized.hasPrefix($0 + "/") }) else {
            return path
        }
        if self.debugInfo && self.applyPrefixMap(normalized) == nil { return path }
        return Path.relative(normalized, from: self.anchor)
    }

    /// Rewrites the path in one argument: the whole argument, a value after `=`, or a glued path option's value.
    public func rewriteArgument(_ argument: String) -> String {
        guard self.isActive, argument.contains("/") else { return argument }
        if argument.hasPrefix("/") { return self.rewriteLeadingPath(argument) }
        guard argument.hasPrefix("-") else { return argument }
        if let equals = argument.firstIndex(of: "="), argument[argument.index(after: equals)...].hasPrefix("/") {
            let prefix = argument[...equals]
            return prefix + self.rewriteLeadingPath(String(argument[argument.index(after: equals)...]))
        }
        for option in Self.joinedPathOptions where argument.hasPrefix(option + "/") {
            return option + self.rewriteLeadingPath(String(argument.dropFirst(option.count)))
        }
        return argument
    }

    /// Rewrites a path at the start of `value`, up to the first `=`, `:` or `,`.
    private func rewriteLeadingPath(_ value: String) -> String {
        guard let end = value.firstIndex(where: { $0 == "=" || $0 == ":" || $0 == "," }) else {
            return self.rewritePath(value)
        }
        return self.rewritePath(String(value[..<end])) + value[end...]
    }

    /// Rewrites the paths in the line markers of preprocessed output, and tells whether a base-directory path is
    /// still present elsewhere (a `__FILE__` expansion, say): then the output depends on the checkout.
    ///
    /// - Parameter preprocessed: the preprocessor's stdout.
    /// - Returns: the text to hash, and whether it still names a base directory.
    public func rewritePreprocessed(_ preprocessed: [UInt8]) -> (text: [UInt8], dependsOnLocation: Bool) {
        guard self.isActive else { return (preprocessed, false) }
        var out: [UInt8] = []
        out.reserveCapacity(preprocessed.count)
        var lineStart = 0
        while lineStart < preprocessed.count {
            var lineEnd = lineStart
            while lineEnd < preprocessed.count && preprocessed[lineEnd] != 10 { lineEnd += 1 }
            let line = preprocessed[lineStart..<lineEnd]
            if line.first == UInt8(ascii: "#"), let open = line.firstIndex(of: UInt8(ascii: "\"")),
                let close = line[(open + 1)...].firstIndex(of: UInt8(ascii: "\""))
            {
                let path = String(decoding: preprocessed[(open + 1)..<close], as: UTF8.self)
                out += preprocessed[lineStart...open]
                out += self.rewritePath(path).utf8
                out += preprocessed[close..<lineEnd]
            } else {
                out += line
            }
            if lineEnd < preprocessed.count { out.append(10) }
            lineStart = lineEnd + 1
        }
        let dependsOnLocation = self.directories.contains { directory in
            let needle = Array((directory + "/").utf8)
            return containsSubsequence(out, needle)
        }
        return (out, dependsOnLocation)
    }
}

private func containsSubsequence(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard let first = needle.first, needle.count <= haystack.count else { return false }
    var index = 0
    let last = haystack.count - needle.count
    while index <= last {
        if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
        index += 1
    }
    return false
}
