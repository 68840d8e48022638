/// A cache key: a BLAKE3-256 digest, shown as 64 lowercase hex digits.
public struct CacheKey: Hashable, Sendable, CustomStringConvertible {
    /// The 64 lowercase hex digits.
    public let hex: String

    /// Creates a key from its hex form; returns `nil` unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        self.hex = hex
    }

    /// Creates a key from a 32-byte digest.
    public init(digest: [UInt8]) {
        self.hex = Hex.encode(digest)
    }

    public var description: String { self.hex }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        return self.digits.withUnsafeBufferPointer { digits in
            String(unsafeUninitializedCapacity: input.count * 2) { out in
                for (index, byte) in input.enumerated() {
                    out[2 * index] = digits[Int(byte >> 4)]
                    out[2 * index + 1] = digits[Int(byte & 0xf)]
                }
                return input.count * 2
            }
        }
    }

    /// Decodes hex (either case); returns `nil` on a bad digit or odd length.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}

/// Builds a cache key from tagged, length-delimited fields.
///
/// Every field is preceded by its label and its length, so that `-I -O2` and `-I-O2` hash differently and no
/// field can run into the next. When a debug log is attached, every field is also recorded as text
/// (the golden tests pin those logs).
public struct CacheKeyHasher: Sendable {
    private var blake3 = BLAKE3()
    /// The readable record of what was hashed, if requested.
    public private(set) var debugLog: [String]?

    /// Creates a hasher.
    ///
    /// - Parameter recordingDebugLog: keep a readable record of every field.
    public init(recordingDebugLog: Bool = false) {
        self.debugLog = recordingDebugLog ? [] : nil
    }

    /// Separates and labels what follows.
    ///
    /// - Parameter label: the field's name.
    public mutating func delimit(_ label: String) {
        self.blake3.update([0, 0x68, 0x4b, 0])  // "\0hK\0": a marker no label contains
        self.blake3.update(label)
        self.blake3.update([0])
    }

    /// Adds a labelled string field.
    ///
    /// - Parameters:
    ///   - label: the field's name.
    ///   - value: its value.
    public mutating func combine(_ label: String, _ value: String) {
        self.delimit(label)
        self.combineLength(value.utf8.count)
        self.blake3.update(value)
        self.debugLog?.append("\(label): \(value)")
    }

    /// Adds a labelled byte field; the debug log records its length and digest, not its bytes.
    ///
    /// - Parameters:
    ///   - label: the field's name.
    ///   - bytes: its value.
    public mutating func combine(_ label: String, bytes: [UInt8]) {
        self.delimit(label)
        self.combineLength(bytes.count)
        self.blake3.update(bytes)
        if self.debugLog != nil {
            self.debugLog?.append("\(label): \(bytes.count) bytes, blake3 \(Hex.encode(BLAKE3.hash(bytes)))")
        }
    }

    private mutating func combineLength(_ length: Int) {
        var value = UInt64(length).bigEndian
        withUnsafeBytes(of: &value) { self.blake3.update(Array($0)) }
    }

    /// Returns the key; the hasher is consumed.
    public consuming func finalize() -> CacheKey {
        CacheKey(digest: self.blake3.finalize())
    }
}
