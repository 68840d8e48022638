public import HoardStorage

/// A remote backend's URL: `scheme://[user[:password]@]host[:port][/path][?key=value&...]`.
public struct RemoteURL: Sendable, Equatable {
    /// The scheme, lowercased.
    public var scheme: String
    /// The user, percent-decoded.
    public var user: String?
    /// The password, percent-decoded.
    public var password: String?
    /// The host (brackets removed from an IPv6 literal); the bucket for `s3://`.
    public var host: String
    /// The port, if given.
    public var port: Int?
    /// The path, starting with `/`, or empty.
    public var path: String
    /// The query parameters, percent-decoded.
    public var query: [String: String]

    /// Parses a URL.
    ///
    /// - Throws: ``StorageError`` (`unavailable`) naming what is wrong.
    public init(_ text: String) throws(StorageError) {
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw StorageError(.unavailable, "no scheme in \(text)")
        }
        self.scheme = text[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(text[schemeEnd.upperBound...])
        var queryText = Substring("")
        if let question = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        var authority = rest
        self.path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            self.path = String(rest[slash...])
        }
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                self.user = Self.decode(credentials[..<colon])
                self.password = Self.decode(credentials[credentials.index(after: colon)...])
                if self.user?.isEmpty == true { self.user = nil }
            } else {
                self.user = Self.decode(credentials)
            }
        }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            authority = authority[authority.index(after: close)...]
            if authority.hasPrefix(":") { self.port = Int(authority.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            self.host = String(authority[..<colon])
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                throw StorageError(.unavailable, "bad port in \(text)")
            }
            self.port = port
        } else {
            self.host = String(authority)
        }
        guard !self.host.isEmpty else { throw StorageError(.unavailable, "no host in \(text)") }
        self.query = [:]
        for pair in queryText.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            self.query[Self.decode(parts[0])] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    /// Decodes `%XX` escapes (and `+` is left alone).
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Creates the backend for a URL.
///
/// - Parameters:
///   - text: the URL (`redis://`, `rediss://`, `memcached://`, `s3://`, `http://`, `https://`).
///   - timeouts: the timeouts for every operation.
/// - Returns: the backend.
/// - Throws: ``StorageError`` for an unknown scheme or a malformed URL.
public func makeRemoteBackend(_ text: String, timeouts: RemoteTimeouts) throws(StorageError) -> any RemoteBackend {
    let url = try RemoteURL(text)
    switch url.scheme {
    case "redis", "rediss": return RedisBackend(url, timeouts: timeouts)
    case "memcached": return MemcachedBackend(url, timeouts: timeouts)
    case "http", "https": return try HTTPBackend(url, timeouts: timeouts)
    case "s3": return try S3Backend(url, timeouts: timeouts)
    default: throw StorageError(.unavailable, "unknown remote scheme \(url.scheme)")
    }
}
