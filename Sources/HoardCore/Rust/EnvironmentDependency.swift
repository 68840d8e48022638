#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A variable a crate reads with `env!` or `option_env!`, as rustc's dep-info names it (`# env-dep:NAME=value`, or
/// `# env-dep:NAME` for one that was unset), kept in a Rust manifest entry as an include whose "content" is that line.
///
/// The daemon checks it against the environment the client sends with its lookup, written the same way: the line for
/// each variable, its name and value escaped as rustc escapes them.
public enum EnvironmentDependency {
    /// The start of the include path that stands for a variable: no file's path starts with a NUL.
    public static let pathPrefix = "\u{0}env-dep:"

    /// Whether an include path stands for a variable (checked for every include of every lookup: a byte, not a prefix).
    @inline(__always)
    public static func isVariable(path: String) -> Bool {
        path.utf8.first == 0
    }

    /// The include path for a dep-info line.
    public static func path(ofLine line: String) -> String {
        Self.pathPrefix + Self.name(ofLine: line)
    }

    /// The variable's name in an include path that stands for one (``isVariable(path:)``).
    public static func name(ofPath path: String) -> String {
        String(path.dropFirst(Self.pathPrefix.count))
    }

    /// The digest recorded for a dep-info line.
    public static func digest(ofLine line: String) -> [UInt8] {
        BLAKE3.hash(Array(line.utf8))
    }

    /// The variable's name: the line up to its first `=`.
    public static func name(ofLine line: String) -> String {
        line.firstIndex(of: "=").map { String(line[..<$0]) } ?? line
    }

    /// The line rustc would write for a variable of the environment, from its `NAME=value` entry, or `nil` for a
    /// name that is not UTF-8 (no `env!` can name it).
    ///
    /// rustc escapes a backslash, a line feed and a carriage return in the name and the value. A value that is not
    /// UTF-8 gets a line no dep-info holds (a NUL for the value), so it matches neither a value nor an unset variable.
    public static func line(ofEntry entry: [UInt8]) -> String? {
        let equals = entry.firstIndex(of: UInt8(ascii: "=")) ?? entry.endIndex
        guard let name = String(validating: entry[..<equals], as: UTF8.self) else { return nil }
        guard equals < entry.endIndex else { return Self.escaped(name) }
        guard let value = String(validating: entry[(equals + 1)...], as: UTF8.self) else {
            return Self.escaped(name) + "=\u{0}"
        }
        return Self.escaped(name) + "=" + Self.escaped(value)
    }

    /// The lines of every variable in this process's environment.
    public static func currentLines() -> [String] {
        var lines: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let bytes = UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self)
            if let line = Self.line(ofEntry: Array(UnsafeBufferPointer(start: bytes, count: strlen(entry)))) {
                lines.append(line)
            }
            pointer += 1
        }
        return lines
    }

    /// `text` with a backslash, a line feed and a carriage return escaped, as rustc's dep-info writes them.
    private static func escaped(_ text: String) -> String {
        var result = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// Tells, for each recorded variable, whether the environment's lines still give it the recorded line.
    public struct Matcher {
        private var lines: [String: String] = [:]

        /// Indexes the environment's lines by name (of a name given twice, the first counts, as for `getenv`).
        public init(_ environment: [String]) {
            for line in environment {
                let name = EnvironmentDependency.name(ofLine: line)
                if self.lines[name] == nil { self.lines[name] = line }
            }
        }

        /// Tells whether the variable at the include path `path` still has the line whose digest is `digest`.
        public func matches(path: String, digest: [UInt8]) -> Bool {
            let name = EnvironmentDependency.name(ofPath: path)
            return EnvironmentDependency.digest(ofLine: self.lines[name] ?? name) == digest
        }
    }
}
