/// Reads the prerequisites of a make-style dependency file, as gcc and clang write it for `-MD`.
public enum DependencyFile {
    /// Returns every prerequisite of every rule, in order and without duplicates.
    ///
    /// Handles line continuations (`\` at the end of a line), escaped spaces (`\ `), `$$` for `$`, and the phony
    /// targets `-MP` adds (rules without prerequisites).
    ///
    /// - Parameter content: the file's bytes.
    /// - Returns: the prerequisites.
    public static func prerequisites(_ content: [UInt8]) -> [String] {
        var result: [String] = []
        var seen: Set<String> = []
        var word: [UInt8] = []
        var afterColon = false
        var index = 0
        func finishWord() {
            defer { word.removeAll(keepingCapacity: true) }
            guard !word.isEmpty else { return }
            if afterColon {
                let text = String(decoding: word, as: UTF8.self)
                if seen.insert(text).inserted { result.append(text) }
            }
        }
        while index < content.count {
            let byte = content[index]
            if byte == UInt8(ascii: "\\") && index + 1 < content.count {
                let next = content[index + 1]
                if next == 10 {
                    finishWord()
                    index += 2
                    continue
                }
                if next == 13 && index + 2 < content.count && content[index + 2] == 10 {
                    finishWord()
                    index += 3
                    continue
                }
                if next == 32 || next == UInt8(ascii: "#") {
                    word.append(next)
                    index += 2
                    continue
                }
            }
            if byte == UInt8(ascii: "$") && index + 1 < content.count && content[index + 1] == UInt8(ascii: "$") {
                word.append(byte)
                index += 2
                continue
            }
            if byte == 10 {
                finishWord()
                afterColon = false
            } else if byte == 32 || byte == 9 || byte == 13 {
                finishWord()
            } else if byte == UInt8(ascii: ":") && !afterColon
                && (index + 1 == content.count || [32, 9, 10, 13].contains(content[index + 1]))
            {
                // The target list ends at the first ':' followed by whitespace.
                word.removeAll(keepingCapacity: true)
                afterColon = true
            } else {
                word.append(byte)
            }
            index += 1
        }
        finishWord()
        return result
    }
}
