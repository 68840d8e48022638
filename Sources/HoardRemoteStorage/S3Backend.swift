import COpenSSL
import Glibc
import HoardCore
public import HoardStorage

/// An S3 bucket, or any S3-compatible service: `s3://bucket/prefix?endpoint=URL&region=REGION&style=path|virtual`.
///
/// Requests are signed with AWS Signature Version 4. Credentials come from `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, else from the `AWS_PROFILE` (or `default`) profile in
/// `~/.aws/credentials`. Without `endpoint`, AWS itself is used with virtual-host style.
public final class S3Backend: RemoteBackend {
    public let description: String
    private let client: HTTPClient
    private let signer: S3RequestSigner
    private let bucket: String
    private let prefix: String
    private let pathStyle: Bool

    /// Creates a backend for a parsed URL.
    ///
    /// - Throws: ``StorageError`` if the endpoint is malformed or no credentials are found.
    public init(_ url: RemoteURL, timeouts: RemoteTimeouts) throws(StorageError) {
        self.bucket = url.host
        var prefix = String(url.path.drop { $0 == "/" })
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        self.prefix = prefix
        let region = url.query["region"] ?? Environment.value("AWS_REGION") ?? "us-east-1"
        let endpoint = try RemoteURL(url.query["endpoint"] ?? "https://s3.\(region).amazonaws.com")
        self.pathStyle = (url.query["style"] ?? (url.query["endpoint"] == nil ? "virtual" : "path")) == "path"
        let tls = endpoint.scheme == "https"
        let host = self.pathStyle ? endpoint.host : "\(url.host).\(endpoint.host)"
        self.client = HTTPClient(host: host, port: endpoint.port ?? (tls ? 443 : 80), tls: tls, timeouts: timeouts)
        guard let credentials = S3Credentials.load() else {
            throw StorageError(.unavailable, "no AWS credentials in the environment or ~/.aws/credentials")
        }
        self.signer = S3RequestSigner(credentials: credentials, region: region)
        self.description = "s3://\(url.host)/\(prefix) at \(endpoint.scheme)://\(host)"
    }

    private func path(for name: String) -> String {
        (self.pathStyle ? "/\(self.bucket)/" : "/") + self.prefix + name
    }

    /// The pauses before asking again after a 500, 502, 503 or 504: S3 answers these now and then (AWS asks
    /// clients to retry them, backing off), and so do other S3 servers under concurrent writes.
    static let retryPauses: [UInt32] = [20_000, 100_000]

    /// Sends a signed request, and sends it again (signed anew) while the answer is a transient server error, up to
    /// `retryPauses.count` more times.
    private func send(_ method: String, _ name: String, body: [UInt8]?) throws(StorageError) -> HTTPClient.Response {
        let path = self.path(for: name)
        var pauses = Self.retryPauses[...]
        while true {
            let headers = self.signer.headers(
                method: method,
                path: path,
                host: self.client.hostHeader,
                payload: body ?? [],
                date: S3RequestSigner.timestamp()
            )
            let response = try self.client.send(method, path: path, headers: headers, body: body)
            guard [500, 502, 503, 504].contains(response.status), let pause = pauses.popFirst() else {
                return response
            }
            usleep(pause)
        }
    }

    public func get(_ name: String) throws(StorageError) -> [UInt8]? {
        let response = try self.send("GET", name, body: nil)
        switch response.status {
        case 200: return response.body
        case 404: return nil
        default: throw StorageError(.unavailable, "S3 GET \(name): status \(response.status)")
        }
    }

    public func put(_ name: String, _ bytes: [UInt8]) throws(StorageError) {
        let response = try self.send("PUT", name, body: bytes)
        guard response.status == 200 else {
            throw StorageError(.unavailable, "S3 PUT \(name): status \(response.status)")
        }
    }
}

/// AWS credentials.
public struct S3Credentials: Sendable, Equatable {
    /// The access key id.
    public var accessKey: String
    /// The secret access key.
    public var secretKey: String
    /// The session token, for temporary credentials.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }

    /// The environment's credentials, else the profile's in `~/.aws/credentials`.
    static func load() -> S3Credentials? {
        if let key = Environment.value("AWS_ACCESS_KEY_ID"), let secret = Environment.value("AWS_SECRET_ACCESS_KEY") {
            return S3Credentials(
                accessKey: key,
                secretKey: secret,
                sessionToken: Environment.value("AWS_SESSION_TOKEN")
            )
        }
        let file =
            Environment.value("AWS_SHARED_CREDENTIALS_FILE") ?? (Environment.value("HOME") ?? "/") + "/.aws/credentials"
        guard let bytes = try? FileSystem.read(file, limit: 1 << 20) else { return nil }
        let profile = Environment.value("AWS_PROFILE") ?? "default"
        var section = ""
        var values: [String: String] = [:]
        for rawLine in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let line = Substring(rawLine).trimmingCharacters()
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
            } else if section == profile, let equals = line.firstIndex(of: "=") {
                values[Substring(line[..<equals]).trimmingCharacters()] =
                    Substring(line[line.index(after: equals)...]).trimmingCharacters()
            }
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else { return nil }
        return S3Credentials(accessKey: key, secretKey: secret, sessionToken: values["aws_session_token"])
    }
}

/// Signs S3 requests with AWS Signature Version 4 (headers `host`, `x-amz-content-sha256`, `x-amz-date` and, for
/// temporary credentials, `x-amz-security-token`).
public struct S3RequestSigner: Sendable {
    let credentials: S3Credentials
    let region: String

    /// Creates a signer.
    public init(credentials: S3Credentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// The current time as `YYYYMMDD'T'HHMMSS'Z'`.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// Returns the headers to send, `Authorization` included.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the URI-encoded path.
    ///   - host: the `Host` header value.
    ///   - payload: the body.
    ///   - date: the request time as `YYYYMMDD'T'HHMMSS'Z'`.
    ///   - extraHeaders: more headers to sign (lowercase names).
    /// - Returns: the signed headers and `Authorization`, without `Host` (the client sends it).
    public func headers(
        method: String,
        path: String,
        host: String,
        payload: [UInt8],
        date: String,
        extraHeaders: [(String, String)] = []
    ) -> [(String, String)] {
        let payloadHash = Hex.encode(sha256(payload))
        var signed = [("host", host), ("x-amz-content-sha256", payloadHash), ("x-amz-date", date)] + extraHeaders
        if let token = self.credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        signed.sort { $0.0 < $1.0 }
        let canonicalHeaders = signed.map { "\($0.0):\($0.1)\n" }.joined()
        let signedNames = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [method, path, "", canonicalHeaders, signedNames, payloadHash].joined(separator: "\n")
        let day = String(date.prefix(8))
        let scope = "\(day)/\(self.region)/s3/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", date, scope, Hex.encode(sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = hmac(Array("AWS4\(self.credentials.secretKey)".utf8), Array(day.utf8))
        for part in [self.region, "s3", "aws4_request"] { key = hmac(key, Array(part.utf8)) }
        let signature = Hex.encode(hmac(key, Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(self.credentials.accessKey)/\(scope), "
            + "SignedHeaders=\(signedNames), Signature=\(signature)"
        return signed.filter { $0.0 != "host" } + [("Authorization", authorization)]
    }
}

/// SHA-256 (libcrypto).
func sha256(_ bytes: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeBufferPointer { input in
        _ = digest.withUnsafeMutableBufferPointer { SHA256(input.baseAddress, input.count, $0.baseAddress) }
    }
    return digest
}

/// HMAC-SHA256 (libcrypto).
func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 32
    key.withUnsafeBufferPointer { keyBuffer in
        message.withUnsafeBufferPointer { messageBuffer in
            _ = digest.withUnsafeMutableBufferPointer { out in
                HMAC(
                    EVP_sha256(),
                    keyBuffer.baseAddress,
                    Int32(keyBuffer.count),
                    messageBuffer.baseAddress,
                    messageBuffer.count,
                    out.baseAddress,
                    &length
                )
            }
        }
    }
    return digest
}
