/// Reads the prerequisites of a make-style dependency file, as gcc and clang write it for `-MD`.
public enum DependencyFile {
    /// The largest dependency file the client reads back (a compile's own, or one it added).
    public static let sizeLimit = 64 << 20

    /// Returns every prerequisite of every rule, in order and without duplicates.
    ///
    /// Handles line continuations (`\` at the end of a line), escaped spaces (`\ `), `$$` for `$`, and the phony
    /// targets `-MP` adds (rules without prerequisites).
    ///
    /// - Parameter content: the file's bytes.
    /// - Returns: the prerequisites.
    public static func prerequisites(_ content: [UInt8]) -> [String] {
        content.withUnsafeBufferPointer { bytes in
            var result: [String] = []
            var seen: Set<String> = []
            var word: [UInt8] = []
            word.reserveCapacity(256)
            var afterColon = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") && index + 1 < bytes.count {
                    let next = bytes[index + 1]
                    if next == 10 {
                        Self.finish(&word, afterColon: afterColon, into: &result, seen: &seen)
                        index += 2
                        continue
                    }
                    if next == 13 && index + 2 < bytes.count && bytes[index + 2] == 10 {
                        Self.finish(&word, afterColon: afterColon, into: &result, seen: &seen)
                        index += 3
                        continue
                    }
                    if next == 32 || next == UInt8(ascii: "#") {
                        word.append(next)
                        index += 2
                        continue
                    }
                }
                switch byte {
                case UInt8(ascii: "$") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "$"):
                    word.append(byte)
                    index += 1
                case 10:
                    Self.finish(&word, afterColon: afterColon, into: &result, seen: &seen)
                    afterColon = false
                case 32, 9, 13:
                    Self.finish(&word, afterColon: afterColon, into: &result, seen: &seen)
                case UInt8(ascii: ":")
                where !afterColon && (index + 1 == bytes.count || Self.isSpace(bytes[index + 1])):
                    // The target list ends at the first ':' followed by whitespace.
                    word.removeAll(keepingCapacity: true)
                    afterColon = true
                default:
                    word.append(byte)
                }
                index += 1
            }
            Self.finish(&word, afterColon: afterColon, into: &result, seen: &seen)
            return result
        }
    }

    /// Ends the word read so far: a prerequisite if it follows the colon.
    private static func finish(
        _ word: inout [UInt8],
        afterColon: Bool,
        into result: inout [String],
        seen: inout Set<String>
    ) {
        defer { word.removeAll(keepingCapacity: true) }
        guard afterColon, !word.isEmpty else { return }
        let text = String(decoding: word, as: UTF8.self)
        if seen.insert(text).inserted { result.append(text) }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 10 || byte == 13
    }
}

extension DependencyFile {
    /// The marker that stands for a base directory inside a stored dependency file.
    private static let marker: UInt8 = 1

    /// Replaces each absolute path under a base directory in a dependency file by a marker holding the path
    /// relative to the working directory, so the file can be restored into another checkout.
    ///
    /// - Parameters:
    ///   - content: the dependency file as the compiler wrote it.
    ///   - baseDirectories: absolute, normalized base directories.
    ///   - workingDirectory: the compile's working directory.
    /// - Returns: the relocatable content.
    public static func relocate(_ content: [UInt8], baseDirectories: [String], workingDirectory: String) -> [UInt8] {
        guard !baseDirectories.isEmpty else { return content }
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var index = 0
        while index < content.count {
            let atPathStart = index == 0 || [32, 9, 10].contains(content[index - 1])
            guard atPathStart && content[index] == UInt8(ascii: "/") else {
                out.append(content[index])
                index += 1
                continue
            }
            // The token runs to the next unescaped whitespace; a target ends with ':'.
            var end = index
            var path: [UInt8] = []
            while end < content.count && ![32, 9, 10, 13].contains(content[end]) {
                if content[end] == UInt8(ascii: "\\") && end + 1 < content.count && content[end + 1] == 32 {
                    path.append(32)
                    end += 2
                    continue
                }
                path.append(content[end])
                end += 1
            }
            if content[end - 1] == UInt8(ascii: "\\") {
                // A line continuation, not part of the path.
                end -= 1
                path.removeLast()
            }
            var suffix: [UInt8] = []
            if path.last == UInt8(ascii: ":") {
                path.removeLast()
                suffix = [UInt8(ascii: ":")]
            }
            let text = Path.normalize(String(decoding: path, as: UTF8.self))
            if baseDirectories.contains(where: { text == $0 || text.hasPrefix($0 + "/") }) {
                out.append(Self.marker)
                out += Path.relative(text, from: workingDirectory).utf8
                out.append(Self.marker)
                out += suffix
            } else {
                out += content[index..<end]
            }
            index = end
        }
        return out
    }

    /// Turns the markers of ``relocate(_:baseDirectories:workingDirectory:)`` back into absolute paths, relative to
    /// the working directory of the compile being served.
    ///
    /// - Parameters:
    ///   - content: the stored dependency file.
    ///   - workingDirectory: the working directory of the hit.
    /// - Returns: the dependency file for this checkout.
    public static func restore(_ content: [UInt8], workingDirectory: String) -> [UInt8] {
        guard content.contains(Self.marker) else { return content }
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 64)
        var index = 0
        while index < content.count {
            if content[index] == Self.marker, let end = content[(index + 1)...].firstIndex(of: Self.marker) {
                let relative = String(decoding: content[(index + 1)..<end], as: UTF8.self)
                for byte in Path.absolute(relative, relativeTo: workingDirectory).utf8 {
                    if byte == 32 { out.append(UInt8(ascii: "\\")) }
                    out.append(byte)
                }
                index = end + 1
            } else {
                out.append(content[index])
                index += 1
            }
        }
        return out
    }
}
