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
            let count = buffer.count
            var index = 0
            while index < count {
                let byte = buffer[index]
                if byte == UInt8(ascii: "_") && index + 7 < count && buffer[index + 1] == UInt8(ascii: "_") {
                    if matches(buffer, index, "__DATE__") || matches(buffer, index, "__TIME__")
                        || matches(buffer, index, "__TIMESTAMP__")
                    {
                        findings.insert(.timeMacros)
                    } else if matches(buffer, index, "__FILE__") || matches(buffer, index, "__BASE_FILE__") {
                        findings.insert(.fileMacro)
                    }
                } else if byte == UInt8(ascii: ".") && matches(buffer, index, ".incbin") {
                    findings.insert(.embeddedFile)
                } else if byte == UInt8(ascii: "#") && matchesEmbed(buffer, index) {
                    findings.insert(.embeddedFile)
                }
                index += 1
            }
        }
        return findings
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
