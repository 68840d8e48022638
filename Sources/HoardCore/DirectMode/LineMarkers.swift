/// The files a preprocessed source came from, read from its line markers (`# 12 "path" 1`).
///
/// Flag 1 opens a file (included by the file open before it), flag 2 returns to a file; markers without flags
/// only move within a file. Pseudo-files such as `<built-in>` and `<command-line>` are skipped.
public struct LineMarkers: Equatable, Sendable {
    /// One included file, as the preprocessor spelled its path, and the file that included it.
    public struct Inclusion: Equatable, Sendable {
        /// The path as spelled in the marker (relative paths are relative to the working directory).
        public var path: String
        /// The includer's path as spelled, or `nil` for the main source file.
        public var includer: String?

        /// Creates an inclusion.
        public init(path: String, includer: String?) {
            self.path = path
            self.includer = includer
        }
    }

    /// Every file in order of first appearance; the first is the main source.
    public private(set) var inclusions: [Inclusion] = []

    /// Parses the markers in preprocessed output.
    ///
    /// - Parameter preprocessed: the preprocessor's stdout.
    public init(_ preprocessed: [UInt8]) {
        var seen: Set<String> = []
        var stack: [String] = []
        preprocessed.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                // Each iteration starts at the beginning of a line.
                if buffer[index] == UInt8(ascii: "#"), let marker = Self.parseMarker(buffer, at: index) {
                    // Pseudo-files (`<built-in>`, `<command-line>`) take part in the nesting but are not recorded.
                    let path = marker.path
                    let isFile = !path.hasPrefix("<")
                    switch marker.flag {
                    case 1:
                        let includer = stack.last.flatMap { $0.hasPrefix("<") ? nil : $0 }
                        stack.append(path)
                        if isFile && seen.insert(path).inserted {
                            self.inclusions.append(
                                Inclusion(path: path, includer: includer ?? self.inclusions.first?.path)
                            )
                        }
                    case 2:
                        while let top = stack.last, top != path { stack.removeLast() }
                        if stack.isEmpty { stack.append(path) }
                    default:
                        if let position = stack.lastIndex(of: path) {
                            stack.removeSubrange((position + 1)...)
                        } else {
                            // The first marker names the main file; a later one is a `#line` rename.
                            if !stack.isEmpty { stack.removeLast() }
                            stack.append(path)
                            if isFile && self.inclusions.isEmpty && seen.insert(path).inserted {
                                self.inclusions.append(Inclusion(path: path, includer: nil))
                            }
                        }
                    }
                }
                while index < count && buffer[index] != 10 { index += 1 }
                index += 1
            }
        }
    }

    /// The included files (everything but the main source).
    public var includedFiles: [Inclusion] { Array(self.inclusions.dropFirst()) }

    private static func parseMarker(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> (path: String, flag: Int)? {
        var index = start + 1
        let count = buffer.count
        if index < count && buffer[index] == UInt8(ascii: "l") {
            // `#line N "path"`
            let word = Array("line".utf8)
            for byte in word {
                guard index < count, buffer[index] == byte else { return nil }
                index += 1
            }
        }
        guard index < count, buffer[index] == 32 else { return nil }
        index += 1
        guard index < count, (48...57).contains(buffer[index]) else { return nil }
        while index < count && (48...57).contains(buffer[index]) { index += 1 }
        guard index + 1 < count, buffer[index] == 32, buffer[index + 1] == UInt8(ascii: "\"") else { return nil }
        index += 2
        var path: [UInt8] = []
        while index < count && buffer[index] != UInt8(ascii: "\"") {
            if buffer[index] == UInt8(ascii: "\\") && index + 1 < count {
                index += 1
            }
            guard buffer[index] != 10 else { return nil }
            path.append(buffer[index])
            index += 1
        }
        guard index < count else { return nil }
        index += 1
        var flag = 0
        if index + 1 < count && buffer[index] == 32 && (49...50).contains(buffer[index + 1]) {
            flag = Int(buffer[index + 1] - 48)
        }
        return (String(decoding: path, as: UTF8.self), flag)
    }
}
