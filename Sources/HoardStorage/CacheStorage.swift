public import HoardCore

/// A place that keeps cache entries: the local directory now, remote backends later.
///
/// Implementations are safe to call from several threads at once. A miss is `nil`, never an error.
public protocol CacheStorage: Sendable {
    /// Returns the entry stored under `key`, or `nil` if there is none.
    ///
    /// - Parameter key: the key.
    /// - Returns: the entry, or `nil`.
    /// - Throws: ``StorageError`` if the entry exists but cannot be read or is corrupt.
    func entry(for key: CacheKey) throws(StorageError) -> CacheEntry?

    /// Stores `entry` under `key`.
    ///
    /// - Parameters:
    ///   - entry: the entry.
    ///   - key: the key.
    /// - Returns: `false` if the backend chose not to store it.
    /// - Throws: ``StorageError`` if writing failed (a full disk, permissions).
    @discardableResult
    func store(_ entry: CacheEntry, for key: CacheKey) throws(StorageError) -> Bool
}

/// A storage failure, mapped by the daemon to a statistic.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: Sendable, Equatable {
        /// The entry failed its checksum or could not be decoded.
        case corrupt
        /// Reading failed.
        case readFailed
        /// Writing failed.
        case writeFailed
        /// A remote backend could not be reached or refused the request.
        case unavailable
        /// A remote backend did not answer in time.
        case timedOut
        /// The backend chose not to store it (too large for memcached, say).
        case rejected
    }

    /// The kind.
    public var code: Code
    /// A one-line description.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
