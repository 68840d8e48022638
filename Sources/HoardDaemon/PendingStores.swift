import Glibc
import HoardCore
import HoardStorage
import HoardWire
import Synchronization

/// A CachePut whose outputs have been read, waiting to be stored.
struct PendingStore: Sendable {
    /// The result key as the client sent it; empty in depend mode (the manifest record names the result).
    var key: String
    /// The manifest record, if the client sent one.
    var record: WireManifestRecord?
    /// The outputs, read when the request arrived.
    var members: [CacheEntry.Member]
    var standardOutput: [UInt8]
    var standardError: [UInt8]
    var exitStatus: Int32
    /// When the request arrived (monotonic).
    var received = MonotonicClock.now()
    /// Tells this store from every other (set when it is queued).
    fileprivate(set) var serial: UInt64 = 0

    /// The bytes it holds.
    var byteCount: Int {
        self.members.reduce(self.standardOutput.count + self.standardError.count) { $0 + $1.bytes.count }
    }

    /// Tells whether a lookup of `key` (a result key or a manifest key) may be answered by this store.
    func answers(_ key: String) -> Bool {
        key == self.key || key == self.record?.manifestKey
    }
}

/// Stores taken from clients and not yet written.
///
/// Storing a miss (hashing its headers, working out where new headers would shadow them, compressing, writing the
/// entry and the manifest) takes a millisecond or two of processor time, and during a build that time is taken
/// from the compiles, even at the lowest scheduling priority (`SCHED_IDLE` did not help): each store therefore waits
/// until no client has been connected for ``pause``, which in a build is usually its end. It waits no longer than
/// ``maximumAge``, and no more than ``maximumCount`` stores or ``maximumBytes`` wait at once.
///
/// The outputs are read when the request arrives (builds move or remove them soon after the compile, as
/// autotools' `depcomp` does with dependency files): only the storing waits. A lookup that a waiting store may
/// answer stores it first, and FlushStores, statistics and shutdown store them all, so waiting never turns a hit
/// into a miss.
final class PendingStores: Sendable {
    static let pause: UInt64 = 500_000_000
    static let maximumAge: UInt64 = 10_000_000_000
    static let maximumCount = 128
    static let maximumBytes = 64 << 20

    private struct State {
        var queue: [PendingStore] = []
        var bytes = 0
        var serials: UInt64 = 0
        /// The stores taken from the queue and being written.
        var storing: [PendingStore] = []
    }

    private let state = Mutex(State())
    /// Signalled once per store added.
    private let added = Semaphore()

    /// Queues a store.
    func add(_ store: PendingStore) {
        self.state.withLock { state in
            var store = store
            state.serials += 1
            store.serial = state.serials
            state.queue.append(store)
            state.bytes += store.byteCount
        }
        self.added.signal()
    }

    /// Waits for the oldest store to be due, and takes it.
    ///
    /// It is due once `isQuiet` says the daemon is quiet, the queue is over its limits, or it has waited
    /// ``maximumAge``. The caller stores it, then calls ``finished(_:)``.
    func next(isQuiet: () -> Bool) -> PendingStore {
        while true {
            self.added.wait()
            while true {
                let (store, isEmpty) = self.state.withLock { state -> (PendingStore?, Bool) in
                    guard let oldest = state.queue.first else { return (nil, true) }
                    let due =
                        state.queue.count > Self.maximumCount || state.bytes > Self.maximumBytes
                        || MonotonicClock.now() &- oldest.received >= Self.maximumAge || isQuiet()
                    guard due else { return (nil, false) }
                    return (Self.take(at: 0, from: &state), false)
                }
                if let store { return store }
                // Taken by a lookup or a flush: wait for the next one.
                if isEmpty { break }
                usleep(20_000)
            }
        }
    }

    /// Takes every waiting store that a lookup of `key` may find, or every waiting store if `key` is `nil`; the
    /// caller stores them, then calls ``finished(_:)`` for each.
    func take(answering key: String?) -> [PendingStore] {
        self.state.withLock { state in
            var taken: [PendingStore] = []
            var index = 0
            while index < state.queue.count {
                if key.map(state.queue[index].answers) ?? true {
                    taken.append(Self.take(at: index, from: &state))
                } else {
                    index += 1
                }
            }
            return taken
        }
    }

    /// Marks a store taken by ``next(isQuiet:)`` or ``take(answering:)`` as written (or refused).
    func finished(_ store: PendingStore) {
        self.state.withLock { state in
            state.storing.removeAll { $0.serial == store.serial }
        }
    }

    /// Waits until no store that a lookup of `key` may find (any store, if `key` is `nil`) is being written.
    func waitWhileStoring(answering key: String?) {
        while self.state.withLock({ state in state.storing.contains { key.map($0.answers) ?? true } }) {
            usleep(1_000)
        }
    }

    /// The number of stores waiting.
    var count: Int { self.state.withLock { $0.queue.count } }

    private static func take(at index: Int, from state: inout State) -> PendingStore {
        let store = state.queue.remove(at: index)
        state.bytes -= store.byteCount
        state.storing.append(store)
        return store
    }
}
