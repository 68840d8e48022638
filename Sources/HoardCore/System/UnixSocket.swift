import Glibc
import HoardWire

/// A blocking Unix-domain stream socket carrying length-prefixed frames (docs/wire-protocol.md, "Frames").
///
/// Used by the client for its one connection and by the daemon for each connection thread. Every read and write
/// has a timeout, so no peer can hang the other.
public struct UnixSocket: ~Copyable, Sendable {
    /// The descriptor.
    public let descriptor: Int32

    /// Wraps an accepted or connected descriptor; the socket closes it.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// Connects to the socket at `path`.
    ///
    /// - Parameter path: the socket's path.
    /// - Returns: the connection.
    /// - Throws: ``SystemError`` if nothing listens there.
    public static func connect(to path: String) throws(SystemError) -> UnixSocket {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError("socket") }
        var address = try self.address(path)
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard status == 0 else {
            let error = SystemError("connect \(path)")
            close(descriptor)
            throw error
        }
        return UnixSocket(descriptor: descriptor)
    }

    /// Creates a listening socket at `path` (replacing a stale file) with mode 0600.
    ///
    /// - Parameter path: the socket's path.
    /// - Returns: the listening descriptor.
    /// - Throws: ``SystemError`` if it cannot bind or listen.
    public static func listen(at path: String) throws(SystemError) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemError("socket") }
        unlink(path)
        var address = try self.address(path)
        let previousMask = umask(0o177)
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        umask(previousMask)
        guard status == 0 else {
            let error = SystemError("bind \(path)")
            close(descriptor)
            throw error
        }
        guard Glibc.listen(descriptor, 256) == 0 else {
            let error = SystemError("listen \(path)")
            close(descriptor)
            throw error
        }
        return descriptor
    }

    private static func address(_ path: String) throws(SystemError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw SystemError("socket path too long: \(path)", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// Sets the send and receive timeouts.
    ///
    /// - Parameter milliseconds: the timeout for each read or write call.
    public func setTimeout(milliseconds: Int) {
        var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(self.descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The peer's user id (SO_PEERCRED), or `nil` if it cannot be read.
    public var peerUserID: uid_t? {
        // `struct ucred` (pid, uid, gid), which Glibc exposes only under _GNU_SOURCE.
        var credentials: (pid: pid_t, uid: uid_t, gid: gid_t) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<(pid_t, uid_t, gid_t)>.size)
        guard getsockopt(self.descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        return credentials.uid
    }

    /// Sends one framed message.
    ///
    /// - Parameter message: the encoded message.
    /// - Throws: ``SystemError`` if the peer is gone or the write timed out.
    public func send(_ message: [UInt8]) throws(SystemError) {
        let frame = Frame.encode(message)
        var offset = 0
        while offset < frame.count {
            let sent = frame.withUnsafeBytes { raw in
                Glibc.send(
                    self.descriptor,
                    raw.baseAddress.map { $0 + offset },
                    raw.count - offset,
                    Int32(MSG_NOSIGNAL)
                )
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw SystemError("send")
            }
            offset += sent
        }
    }

    /// Receives one framed message.
    ///
    /// - Returns: the message, or `nil` if the peer closed the connection cleanly before a frame.
    /// - Throws: ``SystemError`` on a read error, a timeout, a truncated frame or a frame over the limit.
    public func receive() throws(SystemError) -> [UInt8]? {
        guard let header = try self.read(count: 4, allowCleanEnd: true) else { return nil }
        let length: Int
        do {
            length = try Frame.length(header)
        } catch {
            throw SystemError("receive: \(error.message)", errno: EMSGSIZE)
        }
        return try self.read(count: length, allowCleanEnd: false) ?? []
    }

    private func read(count: Int, allowCleanEnd: Bool) throws(SystemError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = buffer.withUnsafeMutableBytes { raw in
                recv(self.descriptor, raw.baseAddress.map { $0 + offset }, count - offset, 0)
            }
            if received < 0 {
                if errno == EINTR { continue }
                throw SystemError("receive")
            }
            if received == 0 {
                if offset == 0 && allowCleanEnd { return nil }
                throw SystemError("receive: connection closed mid-frame", errno: ECONNRESET)
            }
            offset += received
        }
        return buffer
    }
}
