/// An error decoding a frame or a message (docs/wire-protocol.md, "Errors").
public struct WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "wire: \(self.message)" }
}

/// Appends big-endian fields to a byte buffer (docs/wire-protocol.md, "Field encoding").
public struct WireWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    /// Writes one byte.
    public mutating func write(_ value: UInt8) {
        self.bytes.append(value)
    }

    /// Writes a boolean as one byte, 0 or 1.
    public mutating func write(_ value: Bool) {
        self.bytes.append(value ? 1 : 0)
    }

    /// Writes a big-endian 16-bit integer.
    public mutating func write(_ value: UInt16) {
        self.bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        self.bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Writes a big-endian 32-bit integer.
    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { self.bytes.append(contentsOf: $0) }
    }

    /// Writes a big-endian 32-bit signed integer (two's complement).
    public mutating func write(_ value: Int32) {
        self.write(UInt32(bitPattern: value))
    }

    /// Writes a big-endian 64-bit integer.
    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { self.bytes.append(contentsOf: $0) }
    }

    /// Writes a big-endian 64-bit signed integer (two's complement).
    public mutating func write(_ value: Int64) {
        self.write(UInt64(bitPattern: value))
    }

    /// Writes a length-prefixed byte string (u32 length, then the bytes).
    public mutating func write(_ value: [UInt8]) {
        self.write(UInt32(value.count))
        self.bytes += value
    }

    /// Writes a length-prefixed UTF-8 string.
    public mutating func write(_ value: String) {
        var value = value
        // The bytes in place: no array per string (a depend-mode record holds over a thousand).
        value.withUTF8 { utf8 in
            self.write(UInt32(utf8.count))
            self.bytes.append(contentsOf: utf8)
        }
    }
}

/// Reads big-endian fields from a message, throwing on truncation.
public struct WireReader: Sendable {
    private let bytes: [UInt8]
    private var offset: Int

    /// Creates a reader over `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Tells whether every byte was consumed.
    public var isAtEnd: Bool { self.offset == self.bytes.count }

    private mutating func take(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, self.bytes.count - self.offset >= count else { throw WireError("message truncated") }
        defer { self.offset += count }
        return self.bytes[self.offset..<(self.offset + count)]
    }

    /// Reads one byte.
    public mutating func readUInt8() throws(WireError) -> UInt8 {
        try self.take(1).first ?? 0
    }

    /// Reads a boolean; any value but 0 or 1 is an error.
    public mutating func readBool() throws(WireError) -> Bool {
        switch try self.readUInt8() {
        case 0: return false
        case 1: return true
        default: throw WireError("bad boolean")
        }
    }

    /// Reads a big-endian 16-bit integer.
    public mutating func readUInt16() throws(WireError) -> UInt16 {
        try self.take(2).reduce(0) { $0 << 8 | UInt16($1) }
    }

    /// Reads a big-endian 32-bit integer.
    public mutating func readUInt32() throws(WireError) -> UInt32 {
        try self.take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads a big-endian 32-bit signed integer.
    public mutating func readInt32() throws(WireError) -> Int32 {
        Int32(bitPattern: try self.readUInt32())
    }

    /// Reads a big-endian 64-bit integer.
    public mutating func readUInt64() throws(WireError) -> UInt64 {
        try self.take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Reads a big-endian 64-bit signed integer.
    public mutating func readInt64() throws(WireError) -> Int64 {
        Int64(bitPattern: try self.readUInt64())
    }

    /// Reads a length-prefixed byte string.
    public mutating func readBytes() throws(WireError) -> [UInt8] {
        let count = Int(try self.readUInt32())
        return Array(try self.take(count))
    }

    /// Reads a length-prefixed UTF-8 string; invalid UTF-8 is an error.
    public mutating func readString() throws(WireError) -> String {
        let count = Int(try self.readUInt32())
        // Decoded from the message in place: no array per string (a depend-mode record holds over a thousand).
        let string = try self.take(count).withUnsafeBufferPointer { bytes -> String? in
            // ASCII (paths, mostly) is valid UTF-8 as it is: the validating initializer is the slow, general path.
            if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
            return String(validating: bytes, as: UTF8.self)
        }
        guard let string else { throw WireError("invalid UTF-8") }
        return string
    }

    /// Reads a u32 count, checking it against what is left so a hostile count cannot allocate much.
    public mutating func readCount(minimumElementSize: Int) throws(WireError) -> Int {
        let count = Int(try self.readUInt32())
        guard count * max(minimumElementSize, 1) <= self.bytes.count - self.offset else {
            throw WireError("count \(count) exceeds the message")
        }
        return count
    }
}

/// Frames: a 4-byte big-endian length, then that many bytes of message (docs/wire-protocol.md, "Frames").
public enum Frame {
    /// The largest message accepted, in bytes.
    public static let maximumLength = 64 << 20

    /// Returns `message` with its length prefix.
    public static func encode(_ message: [UInt8]) -> [UInt8] {
        var writer = WireWriter()
        writer.write(UInt32(message.count))
        return writer.bytes + message
    }

    /// Decodes a length prefix.
    ///
    /// - Parameter header: exactly 4 bytes.
    /// - Returns: the message length.
    /// - Throws: ``WireError`` if the length exceeds ``maximumLength``.
    public static func length(_ header: [UInt8]) throws(WireError) -> Int {
        var reader = WireReader(header)
        let length = Int(try reader.readUInt32())
        guard length <= self.maximumLength else { throw WireError("frame of \(length) bytes exceeds the limit") }
        return length
    }
}
