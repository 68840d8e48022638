public import HoardStorage

/// A memcached server (`memcached://host:port`), spoken to in the text protocol.
///
/// A blob larger than the server's item limit is refused by the server; the put is then `rejected` (counted, not
/// an error of the remote's health).
public final class MemcachedBackend: RemoteBackend {
    public let description: String
    private let pool: ConnectionPool
    private let prefix: String

    /// Creates a backend for a parsed URL.
    public init(_ url: RemoteURL, timeouts: RemoteTimeouts) {
        self.description = "memcached://\(url.host):\(url.port ?? 11211)"
        self.prefix = url.query["prefix"] ?? "hoard:"
        self.pool = ConnectionPool { () throws(StorageError) in
            try NetworkConnection(host: url.host, port: url.port ?? 11211, tls: false, timeouts: timeouts)
        }
    }

    public func get(_ name: String) throws(StorageError) -> [UInt8]? {
        try self.pool.with { (connection) throws(StorageError) -> [UInt8]? in
            try connection.write(Array("get \(self.prefix + name)\r\n".utf8))
            let line = try connection.readLine()
            if line == "END" { return nil }
            let parts = line.split(separator: " ")
            guard parts.count >= 4, parts[0] == "VALUE", let length = Int(parts[3]) else {
                throw StorageError(.corrupt, "unexpected memcached reply \(line.prefix(40))")
            }
            let bytes = try connection.read(count: length)
            guard try connection.read(count: 2) == [13, 10], try connection.readLine() == "END" else {
                throw StorageError(.corrupt, "bad memcached framing")
            }
            return bytes
        }
    }

    public func put(_ name: String, _ bytes: [UInt8]) throws(StorageError) {
        try self.pool.with { (connection) throws(StorageError) in
            try connection.write(Array("set \(self.prefix + name) 0 0 \(bytes.count)\r\n".utf8) + bytes + [13, 10])
            let line = try connection.readLine()
            if line == "STORED" { return }
            if line.contains("too large") { throw StorageError(.rejected, "memcached: \(line)") }
            throw StorageError(.unavailable, "memcached: \(line)")
        }
    }
}
