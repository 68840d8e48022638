import Glibc
import HoardCore
import Synchronization

/// The daemon's counters, persisted to `<cache dir>/stats` on shutdown and periodically.
///
/// The file has one `name value` line per counter; unknown names are ignored, so older and newer daemons can
/// share a directory.
final class StatisticsStore: Sendable {
    private let counters: Mutex<(values: [UInt64], dirty: Bool)>
    private let path: String

    init(path: String) {
        self.path = path
        var values = [UInt64](repeating: 0, count: 256)
        if let bytes = try? FileSystem.read(path, limit: 1 << 20) {
            let byName = Dictionary(uniqueKeysWithValues: Statistic.allCases.map { ($0.name, $0) })
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let statistic = byName[String(parts[0])], let value = UInt64(parts[1]) else {
                    continue
                }
                values[Int(statistic.rawValue)] = value
            }
        }
        self.counters = Mutex((values, false))
    }

    func add(_ statistic: Statistic, _ amount: UInt64 = 1) {
        self.add(rawValue: statistic.rawValue, amount)
    }

    func add(rawValue: UInt16, _ amount: UInt64) {
        guard Statistic(rawValue: rawValue) != nil else { return }
        self.counters.withLock {
            $0.values[Int(rawValue)] &+= amount
            $0.dirty = true
        }
    }

    func value(_ statistic: Statistic) -> UInt64 {
        self.counters.withLock { $0.values[Int(statistic.rawValue)] }
    }

    func snapshot() -> [(Statistic, UInt64)] {
        self.counters.withLock { counters in Statistic.allCases.map { ($0, counters.values[Int($0.rawValue)]) } }
    }

    func zero() {
        self.counters.withLock {
            $0.values = [UInt64](repeating: 0, count: 256)
            $0.dirty = true
        }
    }

    /// Writes the counters if they changed since the last write.
    func persist() {
        let text: String? = self.counters.withLock { counters in
            guard counters.dirty else { return nil }
            counters.dirty = false
            return Statistic.allCases.map { "\($0.name) \(counters.values[Int($0.rawValue)])\n" }.joined()
        }
        guard let text else { return }
        try? FileSystem.writeAtomically(Array(text.utf8), to: self.path, mode: 0o600)
    }
}

/// Compiler identities by path, valid while the binary's stamp is unchanged.
final class CompilerIdentityCache: Sendable {
    private let identities: Mutex<[String: (stamp: [UInt64], identity: [UInt8])]> = Mutex([:])

    func identity(for path: String, stamp: [UInt64]) -> [UInt8]? {
        self.identities.withLock { identities in
            guard let cached = identities[path], cached.stamp == stamp else { return nil }
            return cached.identity
        }
    }

    func store(_ identity: [UInt8], for path: String, stamp: [UInt64]) {
        self.identities.withLock { identities in
            if identities.count > 1000 { identities.removeAll() }
            identities[path] = (stamp, identity)
        }
    }
}
