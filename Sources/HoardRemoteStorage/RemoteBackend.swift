public import HoardStorage
import Synchronization

/// A remote store of named blobs: cache entries (named by their key) and manifests (`<key>.manifest`).
///
/// Implementations are thread-safe, keep their connections in a small pool, and bound every operation by the
/// timeouts they were created with. A missing blob is `nil`, never an error.
public protocol RemoteBackend: Sendable {
    /// A description for statistics and logs, without credentials.
    var description: String { get }

    /// Returns the blob stored under `name`, or `nil`.
    ///
    /// - Parameter name: the blob's name.
    /// - Returns: its bytes, or `nil` if there is none.
    /// - Throws: ``StorageError`` on a connection problem, a timeout or an unexpected reply.
    func get(_ name: String) throws(StorageError) -> [UInt8]?

    /// Stores `bytes` under `name`, replacing any previous blob.
    ///
    /// - Parameters:
    ///   - name: the blob's name.
    ///   - bytes: the content.
    /// - Throws: ``StorageError`` (`rejected` if the backend will not take a blob this large).
    func put(_ name: String, _ bytes: [UInt8]) throws(StorageError)
}

/// Keeps idle connections for reuse.
final class ConnectionPool: Sendable {
    private let idle = Mutex<[NetworkConnection]>([])
    private let make: @Sendable () throws(StorageError) -> NetworkConnection

    init(make: @escaping @Sendable () throws(StorageError) -> NetworkConnection) {
        self.make = make
    }

    /// Runs `body` with a pooled or new connection.
    ///
    /// A connection left broken is dropped; a pooled connection that the server closed in the meantime is retried
    /// once on a new one.
    func with<T>(_ body: (NetworkConnection) throws(StorageError) -> T) throws(StorageError) -> T {
        if let pooled = self.idle.withLock({ $0.popLast() }) {
            do {
                return try self.run(body, on: pooled)
            } catch  where error.code == .unavailable {
                // Stale: fall through to a new connection.
            }
        }
        return try self.run(body, on: try self.make())
    }

    private func run<T>(
        _ body: (NetworkConnection) throws(StorageError) -> T,
        on connection: NetworkConnection
    )
        throws(StorageError) -> T
    {
        let result = try body(connection)
        if !connection.isBroken {
            self.idle.withLock { idle in
                if idle.count < 8 { idle.append(connection) }
            }
        }
        return result
    }
}
