import Foundation
import HoardRemoteStorage
import HoardStorage
import Testing

/// The S3 backend's answers to transient server errors, which no real S3 server here gives on demand: an HTTP
/// server on 127.0.0.1 answers each request with the next status of its script.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct S3BackendTests {
    /// Answers the requests of one test, one connection each (`Connection: close`), then stops.
    final class ScriptedServer: @unchecked Sendable {
        let port: Int
        private let listener: Int32
        private let statuses: [Int]
        private let lock = NSLock()
        private var requestLines: [String] = []

        /// The request lines received so far (`PUT /bucket/name HTTP/1.1`).
        var requests: [String] { self.lock.withLock { self.requestLines } }

        init(statuses: [Int]) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
            }
            guard bound == 0, listen(listener, 16) == 0 else {
                close(listener)
                throw POSIXError(.EADDRINUSE)
            }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            self.listener = listener
            self.statuses = statuses
            self.port = Int(UInt16(bigEndian: address.sin_port))
            Thread { self.serve() }.start()
        }

        /// Stops accepting (a test may send fewer requests than the script has answers).
        func stop() {
            shutdown(self.listener, Int32(SHUT_RDWR))
            close(self.listener)
        }

        private func serve() {
            for status in self.statuses {
                let connection = accept(self.listener, nil, nil)
                guard connection >= 0 else { return }
                defer { close(connection) }
                guard let request = Self.readRequest(connection) else { return }
                self.lock.withLock { self.requestLines.append(request) }
                let reply = Array("HTTP/1.1 \(status) Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
                _ = reply.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            }
        }

        /// Reads one request (headers and a `Content-Length` body) and returns its request line.
        private static func readRequest(_ connection: Int32) -> String? {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let text = String(decoding: bytes, as: UTF8.self)
                if let end = text.range(of: "\r\n\r\n") {
                    let headers = text[..<end.lowerBound].lowercased()
                    let length = headers.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
                    if bytes.count >= text.utf8.distance(from: text.startIndex, to: end.upperBound) + (length ?? 0) {
                        return String(text[..<(text.range(of: "\r\n")?.lowerBound ?? end.lowerBound)])
                    }
                }
                let count = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
                guard count > 0 else { return nil }
                bytes += buffer[0..<count]
            }
        }
    }

    static func backend(_ server: ScriptedServer) throws -> any RemoteBackend {
        try #require(
            ProcessInfo.processInfo.environment["AWS_ACCESS_KEY_ID"] != nil,
            "AWS test credentials come from scripts/test-servers.sh: run the tests through scripts/test.sh"
        )
        return try makeRemoteBackend(
            "s3://bucket/cache?endpoint=http://127.0.0.1:\(server.port)&region=us-east-1",
            timeouts: RemoteTimeouts(connectMilliseconds: 1000, operationMilliseconds: 5000)
        )
    }

    @Test func `a put answered 503 and then 200 is sent again and succeeds`() throws {
        let server = try ScriptedServer(statuses: [503, 200])
        defer { server.stop() }
        try Self.backend(server).put("name", Array("bytes".utf8))
        #expect(server.requests == ["PUT /bucket/cache/name HTTP/1.1", "PUT /bucket/cache/name HTTP/1.1"])
    }

    @Test func `a get answered 500 and then 404 is a miss`() throws {
        let server = try ScriptedServer(statuses: [500, 404])
        defer { server.stop() }
        #expect(try Self.backend(server).get("name") == nil)
        #expect(server.requests.count == 2)
    }

    @Test func `a server that keeps answering 503 is asked three times, then the error names the status`() throws {
        let server = try ScriptedServer(statuses: [503, 503, 503, 200])
        defer { server.stop() }
        let error = #expect(throws: StorageError.self) { try Self.backend(server).put("name", [1, 2, 3]) }
        #expect(error.map { "\($0)".contains("status 503") } == true, "\(String(describing: error))")
        #expect(server.requests.count == 3)
    }

    @Test func `a client error is not sent again`() throws {
        let server = try ScriptedServer(statuses: [403, 200])
        defer { server.stop() }
        #expect(throws: StorageError.self) { try Self.backend(server).put("name", [1]) }
        #expect(server.requests.count == 1)
    }
}
