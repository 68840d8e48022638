import COpenSSL
import Glibc
import HoardStorage

/// Timeouts for remote operations.
public struct RemoteTimeouts: Sendable, Equatable {
    /// For establishing a connection (and the TLS handshake), in milliseconds.
    public var connectMilliseconds: Int
    /// For each read or write, in milliseconds.
    public var operationMilliseconds: Int

    /// Creates timeouts.
    public init(connectMilliseconds: Int = 500, operationMilliseconds: Int = 5000) {
        self.connectMilliseconds = connectMilliseconds
        self.operationMilliseconds = operationMilliseconds
    }
}

/// A blocking TCP connection, optionally over TLS, with a timeout on connecting and on every read and write.
///
/// `@unchecked Sendable`: not thread-safe; the ``ConnectionPool`` hands each connection to one thread at a time, and
/// its mutex orders the hand-overs.
final class NetworkConnection: @unchecked Sendable {
    private let descriptor: Int32
    private var ssl: OpaquePointer?
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// Set when an error leaves the stream in an unknown state; such a connection is not reused.
    private(set) var isBroken = false

    /// Connects to `host:port` on the loopback or any resolvable address.
    ///
    /// - Throws: ``StorageError`` (`unavailable` or `timedOut`).
    init(host: String, port: Int, tls: Bool, timeouts: RemoteTimeouts) throws(StorageError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            throw StorageError(.unavailable, "cannot resolve \(host)")
        }
        defer { freeaddrinfo(results) }
        var connected: Int32 = -1
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry, connected < 0 {
            entry = address.pointee.ai_next
            let descriptor = socket(
                address.pointee.ai_family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                0
            )
            guard descriptor >= 0 else { continue }
            let flags = fcntl(descriptor, F_GETFL)
            _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
            var status = Glibc.connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen)
            if status != 0 && errno == EINPROGRESS {
                var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                if poll(&poller, 1, Int32(timeouts.connectMilliseconds)) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
                    status = error == 0 ? 0 : -1
                    if error != 0 { lastError = String(cString: strerror(error)) }
                } else {
                    lastError = "connect timed out"
                }
            } else if status != 0 {
                lastError = String(cString: strerror(errno))
            }
            if status == 0 {
                _ = fcntl(descriptor, F_SETFL, flags)
                connected = descriptor
            } else {
                close(descriptor)
            }
        }
        guard connected >= 0 else {
            throw StorageError(
                lastError.contains("timed out") ? .timedOut : .unavailable,
                "\(host):\(port): \(lastError)"
            )
        }
        self.descriptor = connected
        var one: Int32 = 1
        setsockopt(connected, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        self.setTimeout(milliseconds: tls ? timeouts.connectMilliseconds : timeouts.operationMilliseconds)
        if tls {
            try self.startTLS(host: host)
            self.setTimeout(milliseconds: timeouts.operationMilliseconds)
        }
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        close(self.descriptor)
    }

    private func setTimeout(milliseconds: Int) {
        var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(self.descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    private func startTLS(host: String) throws(StorageError) {
        guard let context = TLSContext.shared.context, let ssl = SSL_new(context) else {
            throw StorageError(.unavailable, "TLS is not available")
        }
        self.ssl = ssl
        SSL_set_fd(ssl, self.descriptor)
        var address = in6_addr()
        let isAddress = inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if isAddress {
            // An IP literal: verified against the certificate's IP addresses; no SNI.
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = hoard_ssl_set_host_name(ssl, host)
            SSL_set1_host(ssl, host)
        }
        guard SSL_connect(ssl) == 1 else {
            self.isBroken = true
            throw StorageError(.unavailable, "TLS handshake with \(host) failed")
        }
    }

    /// Marks the connection as not reusable (the server will close it).
    func markBroken() {
        self.isBroken = true
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws(StorageError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                let pointer = raw.baseAddress.map { $0 + offset }
                if let ssl = self.ssl { return Int(SSL_write(ssl, pointer, Int32(min(raw.count - offset, 1 << 30)))) }
                return send(self.descriptor, pointer, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 {
                if written < 0 && errno == EINTR && self.ssl == nil { continue }
                throw self.failure("write")
            }
            offset += written
        }
    }

    private func failure(_ operation: String) -> StorageError {
        self.isBroken = true
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK { return StorageError(.timedOut, "\(operation) timed out") }
        return StorageError(.unavailable, "\(operation): \(String(cString: strerror(code)))")
    }

    private func fill() throws(StorageError) {
        if self.bufferStart > 0 && self.bufferStart == self.buffer.count {
            self.buffer.removeAll(keepingCapacity: true)
            self.bufferStart = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { raw -> Int in
            if let ssl = self.ssl { return Int(SSL_read(ssl, raw.baseAddress, Int32(raw.count))) }
            return recv(self.descriptor, raw.baseAddress, raw.count, 0)
        }
        if count < 0 && errno == EINTR && self.ssl == nil { return }
        guard count > 0 else {
            if count == 0 {
                self.isBroken = true
                throw StorageError(.unavailable, "connection closed by the server")
            }
            throw self.failure("read")
        }
        self.buffer += chunk[0..<count]
    }

    /// Reads one line ending in CRLF (or LF), without the terminator.
    func readLine(limit: Int = 64 * 1024) throws(StorageError) -> String {
        while true {
            if let newline = self.buffer[self.bufferStart...].firstIndex(of: 10) {
                var end = newline
                if end > self.bufferStart && self.buffer[end - 1] == 13 { end -= 1 }
                let line = String(decoding: self.buffer[self.bufferStart..<end], as: UTF8.self)
                self.bufferStart = newline + 1
                return line
            }
            guard self.buffer.count - self.bufferStart < limit else {
                self.isBroken = true
                throw StorageError(.corrupt, "line too long")
            }
            try self.fill()
        }
    }

    /// Reads exactly `count` bytes.
    func read(count: Int) throws(StorageError) -> [UInt8] {
        while self.buffer.count - self.bufferStart < count { try self.fill() }
        let bytes = Array(self.buffer[self.bufferStart..<(self.bufferStart + count)])
        self.bufferStart += count
        return bytes
    }

    /// Reads until the peer closes the connection.
    func readToEnd(limit: Int) throws(StorageError) -> [UInt8] {
        while true {
            do {
                try self.fill()
            } catch {
                if error.message == "connection closed by the server" { break }
                throw error
            }
            guard self.buffer.count - self.bufferStart <= limit else { throw StorageError(.corrupt, "reply too large") }
        }
        let bytes = Array(self.buffer[self.bufferStart...])
        self.bufferStart = self.buffer.count
        return bytes
    }
}

/// The process-wide TLS client context: system trust store, certificate and host name verification.
final class TLSContext: @unchecked Sendable {
    // Set once at first use and read-only afterwards; OpenSSL contexts are safe to share between threads.
    let context: OpaquePointer?

    static let shared = TLSContext()

    private init() {
        let context = SSL_CTX_new(TLS_client_method())
        if let context {
            SSL_CTX_set_default_verify_paths(context)
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        self.context = context
    }
}
