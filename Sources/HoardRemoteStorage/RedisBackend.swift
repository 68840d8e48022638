public import HoardStorage

/// A Redis server (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS), spoken to in RESP.
///
/// Blobs live under `<prefix><name>` with an optional expiry (`?prefix=hoard:&expiry=SECONDS`).
public final class RedisBackend: RemoteBackend {
    public let description: String
    private let pool: ConnectionPool
    private let prefix: String
    private let expirySeconds: Int?

    /// Creates a backend for a parsed URL.
    public init(_ url: RemoteURL, timeouts: RemoteTimeouts) {
        self.description = "\(url.scheme)://\(url.host):\(url.port ?? 6379)\(url.path)"
        self.prefix = url.query["prefix"] ?? "hoard:"
        self.expirySeconds = url.query["expiry"].flatMap { Int($0) }
        let database = Int(url.path.dropFirst()) ?? 0
        self.pool = ConnectionPool { () throws(StorageError) in
            let connection = try NetworkConnection(
                host: url.host,
                port: url.port ?? 6379,
                tls: url.scheme == "rediss",
                timeouts: timeouts
            )
            if let password = url.password {
                let arguments = url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                try Self.command(arguments.map { Array($0.utf8) }, on: connection)
            }
            if database != 0 { try Self.command([Array("SELECT".utf8), Array(String(database).utf8)], on: connection) }
            return connection
        }
    }

    public func get(_ name: String) throws(StorageError) -> [UInt8]? {
        try self.pool.with { (connection) throws(StorageError) in
            try Self.command([Array("GET".utf8), Array((self.prefix + name).utf8)], on: connection)
        }
    }

    public func put(_ name: String, _ bytes: [UInt8]) throws(StorageError) {
        var arguments = [Array("SET".utf8), Array((self.prefix + name).utf8), bytes]
        if let expiry = self.expirySeconds { arguments += [Array("EX".utf8), Array(String(expiry).utf8)] }
        _ = try self.pool.with { (connection) throws(StorageError) in try Self.command(arguments, on: connection) }
    }

    /// Sends one command and reads its reply: a bulk string (or `nil` for a null), or `nil` for a status.
    @discardableResult
    static func command(_ arguments: [[UInt8]], on connection: NetworkConnection) throws(StorageError) -> [UInt8]? {
        var request = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            request += Array("$\(argument.count)\r\n".utf8)
            request += argument
            request += [13, 10]
        }
        try connection.write(request)
        let line = try connection.readLine()
        guard let kind = line.first else { throw StorageError(.corrupt, "empty Redis reply") }
        switch kind {
        case "+", ":":
            return nil
        case "-":
            throw StorageError(.unavailable, "Redis: \(line.dropFirst())")
        case "$":
            guard let length = Int(line.dropFirst()) else { throw StorageError(.corrupt, "bad Redis length") }
            if length < 0 { return nil }
            let bytes = try connection.read(count: length)
            guard try connection.read(count: 2) == [13, 10] else { throw StorageError(.corrupt, "bad Redis framing") }
            return bytes
        default:
            throw StorageError(.corrupt, "unexpected Redis reply \(line.prefix(20))")
        }
    }
}
