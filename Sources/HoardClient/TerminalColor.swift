import Glibc
import HoardCore

/// Colour in diagnostics: when to ask the compiler for it, and how to remove it on replay.
enum TerminalColor {
    /// Tells whether the compiler, run directly, would colour its diagnostics: stderr is a terminal and `TERM` is
    /// not `dumb`.
    static func stderrWantsColor() -> Bool {
        guard isatty(2) == 1 else { return false }
        let term = Environment.value("TERM") ?? ""
        return !term.isEmpty && term != "dumb"
    }

    /// Removes ANSI escape sequences (CSI such as colours and erase-line, and OSC such as hyperlinks).
    ///
    /// - Parameter bytes: coloured text.
    /// - Returns: the same text without escape sequences.
    static func strip(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x1b) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x1b, index + 1 < bytes.count else {
                out.append(byte)
                index += 1
                continue
            }
            let kind = bytes[index + 1]
            index += 2
            if kind == UInt8(ascii: "[") {
                // CSI: parameters and intermediates, then one final byte in 0x40...0x7E.
                while index < bytes.count && !(0x40...0x7e).contains(bytes[index]) { index += 1 }
                index += 1
            } else if kind == UInt8(ascii: "]") {
                // OSC: up to BEL or ESC \.
                while index < bytes.count {
                    if bytes[index] == 0x07 {
                        index += 1
                        break
                    }
                    if bytes[index] == 0x1b && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\\") {
                        index += 2
                        break
                    }
                    index += 1
                }
            }
        }
        return out
    }
}
