/// A TOML value of the kinds Hoard's settings use.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
}

/// One `key = value` line.
public struct TOMLEntry: Equatable, Sendable {
    /// The key (dotted keys and table headers are joined with `.`).
    public var key: String
    /// The value.
    public var value: TOMLValue
    /// The 1-based line number.
    public var line: Int
}

/// A syntax error with its line.
public struct TOMLError: Error, Equatable, Sendable {
    /// The 1-based line number.
    public var line: Int
    /// What is wrong.
    public var message: String
}

/// A parser for the subset of TOML that Hoard's settings need.
///
/// Tables, bare and quoted keys, basic and literal strings, integers (with `_` separators), booleans and comments.
/// Anything else is a clear error.
public enum TOMLParser {
    /// Parses a document.
    ///
    /// - Parameter text: the document.
    /// - Returns: its entries in order.
    /// - Throws: ``TOMLError`` naming the first bad line.
    public static func parse(_ text: String) throws(TOMLError) -> [TOMLEntry] {
        var entries: [TOMLEntry] = []
        var table = ""
        var seen: Set<String> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = Substring(Self.stripComment(rawLine)).trimmingWhitespace()
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
                    throw TOMLError(line: lineNumber, message: "malformed table header")
                }
                table = String(line.dropFirst().dropLast().trimmingWhitespace())
                guard !table.isEmpty else { throw TOMLError(line: lineNumber, message: "empty table name") }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw TOMLError(line: lineNumber, message: "expected key = value")
            }
            var key = String(line[..<equals].trimmingWhitespace())
            if key.hasPrefix("\"") && key.hasSuffix("\"") && key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
            else {
                throw TOMLError(line: lineNumber, message: "bad key '\(key)'")
            }
            line = line[line.index(after: equals)...].trimmingWhitespace()
            let value = try Self.parseValue(line, line: lineNumber)
            let fullKey = table.isEmpty ? key : table + "." + key
            guard seen.insert(fullKey).inserted else {
                throw TOMLError(line: lineNumber, message: "duplicate key \(fullKey)")
            }
            entries.append(TOMLEntry(key: fullKey, value: value, line: lineNumber))
        }
        return entries
    }

    private static func stripComment(_ line: Substring) -> String {
        var result = ""
        var quote: Character?
        var escaped = false
        for character in line {
            if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                break
            }
            result.append(character)
        }
        return result
    }

    private static func parseValue(_ text: Substring, line: Int) throws(TOMLError) -> TOMLValue {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if text.hasPrefix("'") {
            guard text.count >= 2, text.hasSuffix("'") else {
                throw TOMLError(line: line, message: "unterminated string")
            }
            let body = text.dropFirst().dropLast()
            guard !body.contains("'") else { throw TOMLError(line: line, message: "unexpected ' in string") }
            return .string(String(body))
        }
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else {
                throw TOMLError(line: line, message: "unterminated string")
            }
            var result = ""
            var escaped = false
            for character in text.dropFirst().dropLast() {
                if escaped {
                    switch character {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "\\": result.append("\\")
                    case "\"": result.append("\"")
                    default: throw TOMLError(line: line, message: "unsupported escape \\\(character)")
                    }
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    throw TOMLError(line: line, message: "unexpected \" in string")
                } else {
                    result.append(character)
                }
            }
            guard !escaped else { throw TOMLError(line: line, message: "unterminated escape") }
            return .string(result)
        }
        let digits = text.filter { $0 != "_" }
        if let integer = Int(digits), !text.hasPrefix("_"), !text.hasSuffix("_") { return .integer(integer) }
        throw TOMLError(line: line, message: "unsupported value \(text)")
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\r" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result = result.dropLast() }
        return result
    }
}
