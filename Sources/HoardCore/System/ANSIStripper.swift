/// Removes ANSI escape sequences from a byte stream: CSI (colours, erase-line) and OSC (hyperlinks).
///
/// Streaming: a sequence split across two chunks is still removed, so live compiler output can be filtered as it
/// arrives. Stripping gcc 12's and clang's coloured diagnostics yields exactly their uncoloured ones (an end-to-end
/// test checks this), which is why one cached entry serves terminals and pipes alike.
public struct ANSIStripper: Sendable {
    private enum State {
        case text, escape, csi, osc, oscEscape
    }

    private var state = State.text

    /// Creates a stripper at the start of a stream.
    public init() {}

    /// Filters the next chunk of the stream.
    ///
    /// - Parameter bytes: the chunk.
    /// - Returns: the chunk without escape sequences.
    public mutating func filter(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch self.state {
            case .text:
                if byte == 0x1b { self.state = .escape } else { out.append(byte) }
            case .escape:
                switch byte {
                case UInt8(ascii: "["): self.state = .csi
                case UInt8(ascii: "]"): self.state = .osc
                default: self.state = .text
                }
            case .csi:
                if (0x40...0x7e).contains(byte) { self.state = .text }
            case .osc:
                if byte == 0x07 {
                    self.state = .text
                } else if byte == 0x1b {
                    self.state = .oscEscape
                }
            case .oscEscape:
                self.state = byte == UInt8(ascii: "\\") ? .text : .osc
            }
        }
        return out
    }

    /// Strips a whole buffer.
    ///
    /// - Parameter bytes: coloured text.
    /// - Returns: the text without escape sequences.
    public static func strip(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x1b) else { return bytes }
        var stripper = ANSIStripper()
        return stripper.filter(bytes)
    }
}
