import HoardCore
public import HoardStorage

/// An HTTP or WebDAV server: `http(s)://host[:port]/path`.
///
/// The layouts are ccache's: `?layout=subdirs` (default: `<path>/<first two hex digits>/<rest>`), `flat` (`<path>/<name>`) or `bazel`
/// (bazel-remote's action cache, `<path>/ac/<64 hex digits>`). Authentication: `user:password@` (basic) or
/// `?bearer-token=TOKEN`.
public final class HTTPBackend: RemoteBackend {
    public let description: String
    private let client: HTTPClient
    private let basePath: String
    private let layout: String
    private let authorization: String?

    /// Creates a backend for a parsed URL.
    ///
    /// - Throws: ``StorageError`` for an unknown layout.
    public init(_ url: RemoteURL, timeouts: RemoteTimeouts) throws(StorageError) {
        let tls = url.scheme == "https"
        let port = url.port ?? (tls ? 443 : 80)
        self.description = "\(url.scheme)://\(url.host):\(port)\(url.path)"
        self.client = HTTPClient(host: url.host, port: port, tls: tls, timeouts: timeouts)
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        self.basePath = path
        self.layout = url.query["layout"] ?? "subdirs"
        guard ["subdirs", "flat", "bazel"].contains(self.layout) else {
            throw StorageError(.unavailable, "unknown HTTP layout \(self.layout) (subdirs, flat or bazel)")
        }
        if let token = url.query["bearer-token"] {
            self.authorization = "Bearer \(token)"
        } else if let user = url.user {
            self.authorization = "Basic " + base64(Array("\(user):\(url.password ?? "")".utf8))
        } else {
            self.authorization = nil
        }
    }

    private func path(for name: String) -> String {
        switch self.layout {
        case "flat":
            return "\(self.basePath)/\(name)"
        case "bazel":
            // The action cache takes 64 hex digits: keys are; other names are hashed to that shape.
            let key = CacheKey(hex: name)?.hex ?? Hex.encode(BLAKE3.hash(Array(name.utf8)))
            return "\(self.basePath)/ac/\(key)"
        default:
            let utf8 = Array(name.utf8)
            return "\(self.basePath)/\(String(decoding: utf8.prefix(2), as: UTF8.self))/"
                + String(decoding: utf8.dropFirst(2), as: UTF8.self)
        }
    }

    private var headers: [(String, String)] {
        self.authorization.map { [("Authorization", $0)] } ?? []
    }

    public func get(_ name: String) throws(StorageError) -> [UInt8]? {
        let response = try self.client.send("GET", path: self.path(for: name), headers: self.headers)
        switch response.status {
        case 200: return response.body
        case 404: return nil
        default: throw StorageError(.unavailable, "HTTP GET \(name): status \(response.status)")
        }
    }

    public func put(_ name: String, _ bytes: [UInt8]) throws(StorageError) {
        let path = self.path(for: name)
        var response = try self.client.send("PUT", path: path, headers: self.headers, body: bytes)
        if response.status == 409 || response.status == 404 {
            // A WebDAV server that wants its collections created first.
            var collection = ""
            for component in path.split(separator: "/").dropLast() {
                collection += "/" + component
                _ = try self.client.send("MKCOL", path: collection + "/", headers: self.headers)
            }
            response = try self.client.send("PUT", path: path, headers: self.headers, body: bytes)
        }
        guard (200..<300).contains(response.status) else {
            throw StorageError(.unavailable, "HTTP PUT \(name): status \(response.status)")
        }
    }
}

/// Standard base64 with padding.
func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << UInt32(16 - 8 * $1.offset) }
        for position in 0..<4 {
            if position <= chunk.count {
                out.append(alphabet[Int((value >> UInt32(18 - 6 * position)) & 63)])
            } else {
                out.append(UInt8(ascii: "="))
            }
        }
        index += 3
    }
    return String(decoding: out, as: UTF8.self)
}
