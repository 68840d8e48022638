import Foundation
import HoardCore
import HoardStorage
import HoardWire
import Synchronization
import Testing

@testable import HoardDaemon

struct PendingStoresTests {
    func store(key: String, manifestKey: String? = nil, bytes: Int = 1) -> PendingStore {
        PendingStore(
            key: key,
            record: manifestKey.map {
                WireManifestRecord(
                    manifestKey: $0,
                    resultKey: "",
                    workingDirectory: "/",
                    includes: [],
                    absentPaths: [],
                    allowTimeMacros: false,
                    compileStarted: 1
                )
            },
            members: [CacheEntry.Member(role: 0, mode: 0o644, bytes: [UInt8](repeating: 7, count: bytes))],
            standardOutput: [],
            standardError: [],
            exitStatus: 0
        )
    }

    @Test func `a lookup takes the stores that may answer it, by result key or by manifest key`() {
        let stores = PendingStores()
        stores.add(self.store(key: "a"))
        stores.add(self.store(key: "", manifestKey: "m"))
        stores.add(self.store(key: "b"))
        #expect(stores.take(answering: "m").map(\.record?.manifestKey) == ["m"])
        #expect(stores.take(answering: "a").map(\.key) == ["a"])
        #expect(stores.take(answering: "z").isEmpty)
        #expect(stores.count == 1)
        #expect(stores.take(answering: nil).map(\.key) == ["b"])
        #expect(stores.count == 0)
    }

    @Test func `a quiet daemon gets the oldest store`() {
        let stores = PendingStores()
        stores.add(self.store(key: "first"))
        stores.add(self.store(key: "second"))
        #expect(stores.next { true }.key == "first")
        #expect(stores.next { true }.key == "second")
    }

    @Test func `a busy daemon gets stores only while more than the limit wait`() {
        let stores = PendingStores()
        for index in 0...PendingStores.maximumCount { stores.add(self.store(key: "\(index)")) }
        #expect(stores.next { false }.key == "0")
        #expect(stores.count == PendingStores.maximumCount)
    }

    @Test func `a busy daemon gets stores while more than the byte limit waits`() {
        let stores = PendingStores()
        stores.add(self.store(key: "big", bytes: PendingStores.maximumBytes + 1))
        #expect(stores.next { false }.key == "big")
    }

    @Test func `a busy daemon gets a store that has waited its longest`() {
        let stores = PendingStores()
        var old = self.store(key: "old")
        old.received = MonotonicClock.now() - PendingStores.maximumAge
        stores.add(old)
        #expect(stores.next { false }.key == "old")
    }

    @Test func `a store being written is waited for until it is finished`() {
        let stores = PendingStores()
        stores.add(self.store(key: "", manifestKey: "m"))
        let taken = stores.next { true }
        let written = Flag()
        Thread.detachNewThread {
            usleep(20_000)
            written.value.store(true, ordering: .sequentiallyConsistent)
            stores.finished(taken)
        }
        stores.waitWhileStoring(answering: "other")
        stores.waitWhileStoring(answering: "m")
        let wasWritten = written.value.load(ordering: .sequentiallyConsistent)
        #expect(wasWritten)
    }
}

private final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}
