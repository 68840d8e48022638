import HoardCore
import HoardStorage

/// A minimal HTTP/1.1 client on pooled keep-alive connections: enough for WebDAV, bazel-remote and S3.
final class HTTPClient: Sendable {
    /// A response: status and body.
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    let host: String
    let port: Int
    let tls: Bool
    private let pool: ConnectionPool
    private static let maximumBody = 4 << 30

    init(host: String, port: Int, tls: Bool, timeouts: RemoteTimeouts) {
        self.host = host
        self.port = port
        self.tls = tls
        self.pool = ConnectionPool { () throws(StorageError) in
            try NetworkConnection(host: host, port: port, tls: tls, timeouts: timeouts)
        }
    }

    /// The `Host` header value.
    var hostHeader: String {
        let defaultPort = self.tls ? 443 : 80
        let name = self.host.contains(":") ? "[\(self.host)]" : self.host
        return self.port == defaultPort ? name : "\(name):\(self.port)"
    }

    /// Sends a request and reads the whole response.
    func send(
        _ method: String,
        path: String,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) throws(StorageError) -> Response {
        try self.pool.with { (connection) throws(StorageError) -> Response in
            var head = "\(method) \(path) HTTP/1.1\r\nHost: \(self.hostHeader)\r\nUser-Agent: hoard/\(hoardVersion)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            if let body {
                head += "Content-Length: \(body.count)\r\n"
            } else if method == "PUT" {
                head += "Content-Length: 0\r\n"
            }
            head += "\r\n"
            try connection.write(Array(head.utf8) + (body ?? []))
            return try Self.readResponse(connection, method: method)
        }
    }

    private static func readResponse(_ connection: NetworkConnection, method: String) throws(StorageError) -> Response {
        let statusLine = try connection.readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw StorageError(.corrupt, "bad HTTP status line \(statusLine.prefix(40))")
        }
        var contentLength: Int?
        var chunked = false
        var close = parts[0] == "HTTP/1.0"
        while true {
            let line = try connection.readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters()
            switch name {
            case "content-length": contentLength = Int(value)
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            case "connection": close = value.lowercased() == "close"
            default: break
            }
        }
        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            body = []
        } else if chunked {
            while true {
                let sizeLine = try connection.readLine()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw StorageError(.corrupt, "bad chunk size")
                }
                if size == 0 {
                    while try !connection.readLine().isEmpty {}
                    break
                }
                guard body.count + size <= Self.maximumBody else { throw StorageError(.corrupt, "response too large") }
                body += try connection.read(count: size)
                _ = try connection.readLine()
            }
        } else if let contentLength {
            guard contentLength <= Self.maximumBody else { throw StorageError(.corrupt, "response too large") }
            body = try connection.read(count: contentLength)
        } else {
            body = try connection.readToEnd(limit: Self.maximumBody)
            close = true
        }
        if close { connection.markBroken() }
        return Response(status: status, body: body)
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}
