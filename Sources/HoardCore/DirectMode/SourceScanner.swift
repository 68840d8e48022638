import Glibc

/// Finds constructs that make a result depend on more than the inputs' bytes.
public struct SourceFindings: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `__DATE__`, `__TIME__` or `__TIMESTAMP__`: the output depends on the clock.
    public static let timeMacros = SourceFindings(rawValue: 1 << 0)
    /// `.incbin` or `#embed`: the output depends on a file the preprocessor does not report.
    public static let embeddedFile = SourceFindings(rawValue: 1 << 1)
    /// `__FILE__` or `__BASE_FILE__`: the output may contain the file's path.
    public static let fileMacro = SourceFindings(rawValue: 1 << 2)

    /// Scans a source or header.
    ///
    /// - Parameter bytes: the file's content.
    /// - Returns: what it contains.
    public static func scan(_ bytes: [UInt8]) -> SourceFindings {
        var findings: SourceFindings = []
        bytes.withUnsafeBufferPointer { buffer in
            forEachOffset(of: UInt8(ascii: "_"), in: buffer) { index in
                if index + 7 < buffer.count && buffer[index + 1] == UInt8(ascii: "_") {
                    if matches(buffer, index, "__DATE__") || matches(buffer, index, "__TIME__")
                        || matches(buffer, index, "__TIMESTAMP__")
                    {
                        findings.insert(.timeMacros)
                    } else if matches(buffer, index, "__FILE__") || matches(buffer, index, "__BASE_FILE__") {
                        findings.insert(.fileMacro)
                    }
                }
                return index + 1
            }
            forEachOffset(of: UInt8(ascii: "."), in: buffer) { index in
                if matches(buffer, index, ".incbin") { findings.insert(.embeddedFile) }
                return index + 1
            }
            forEachOffset(of: UInt8(ascii: "#"), in: buffer) { index in
                if matchesEmbed(buffer, index) { findings.insert(.embeddedFile) }
                return index + 1
            }
        }
        return findings
    }
}

/// Calls `body` with the offset of each `byte` in `buffer` from where the last call said to go on, found with
/// `memchr` (a per-byte loop costs a hit tens of microseconds on a large source).
private func forEachOffset(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Int) {
    guard let base = buffer.baseAddress else { return }
    var index = 0
    while index < buffer.count, let found = memchr(base + index, Int32(byte), buffer.count - index) {
        index = body(base.distance(to: found.assumingMemoryBound(to: UInt8.self)))
    }
}

private func matches(_ buffer: UnsafeBufferPointer<UInt8>, _ index: Int, _ word: StaticString) -> Bool {
    let length = word.utf8CodeUnitCount
    guard index + length <= buffer.count else { return false }
    let pointer = word.utf8Start
    for offset in 0..<length where buffer[index + offset] != pointer[offset] { return false }
    return true
}

/// `#embed` with optional spaces after the `#`.
private func matchesEmbed(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int) -> Bool {
    var index = start + 1
    while index < buffer.count && (buffer[index] == 32 || buffer[index] == 9) { index += 1 }
    return matches(buffer, index, "embed")
}

/// The header names a file asks about with `__has_include` or `__has_include_next`.
///
/// A file's result depends on whether those headers exist, though the preprocessor reports no inclusion for
/// them; direct mode records where each would be found.
public struct HasIncludeQueries: Equatable, Sendable {
    /// The queried names, as written between `<>` or `""`.
    public var names: [String] = []
    /// A query whose argument is a macro: the name cannot be known without preprocessing.
    public var hasOpaqueQuery = false

    /// Finds the queries in a file.
    ///
    /// - Parameter bytes: the file's content.
    public init(_ bytes: [UInt8]) {
        let word = Array("__has_include".utf8)
        bytes.withUnsafeBufferPointer { buffer in
            forEachOffset(of: UInt8(ascii: "_"), in: buffer) { index in
                guard index + word.count < bytes.count, bytes[index..<(index + word.count)].elementsEqual(word) else {
                    return index + 1
                }
                var cursor = index + word.count
                if bytes[cursor...].starts(with: Array("_next".utf8)) { cursor += 5 }
                let next = cursor
                while cursor < bytes.count && (bytes[cursor] == 32 || bytes[cursor] == 9) { cursor += 1 }
                // `#ifdef __has_include` and mentions in comments are not queries.
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "(") else { return next }
                cursor += 1
                while cursor < bytes.count && (bytes[cursor] == 32 || bytes[cursor] == 9) { cursor += 1 }
                guard cursor < bytes.count else { return bytes.count }
                let close: UInt8
                switch bytes[cursor] {
                case UInt8(ascii: "<"): close = UInt8(ascii: ">")
                case UInt8(ascii: "\""): close = UInt8(ascii: "\"")
                default:
                    self.hasOpaqueQuery = true
                    return next
                }
                guard let end = bytes[(cursor + 1)...].firstIndex(where: { $0 == close || $0 == 10 }),
                    bytes[end] == close
                else {
                    self.hasOpaqueQuery = true
                    return next
                }
                let name = String(decoding: bytes[(cursor + 1)..<end], as: UTF8.self)
                if !name.isEmpty && !self.names.contains(name) { self.names.append(name) }
                return end
            }
        }
    }
}
