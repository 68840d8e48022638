import HoardCore
import HoardWire

/// Renders the daemon's statistics for people (`--show-stats`) and programs (`--show-stats --json`).
enum StatsReport {
    static func values(_ stats: WireStats) -> [Statistic: UInt64] {
        var values: [Statistic: UInt64] = [:]
        for counter in stats.counters {
            if let statistic = Statistic(rawValue: counter.id) { values[statistic] = counter.value }
        }
        return values
    }

    /// A readable table: the summary first, then every non-zero reason and error.
    static func table(_ stats: WireStats) -> String {
        let values = self.values(stats)
        func value(_ statistic: Statistic) -> UInt64 { values[statistic] ?? 0 }
        let hits = value(.directHits) + value(.preprocessedHits)
        let misses = value(.misses)
        let lookups = hits + misses
        var rows: [(String, String)] = [
            ("Cache directory", stats.cacheDirectory),
            ("Compile requests", String(value(.requests))),
            ("Hits", "\(hits) / \(lookups)" + (lookups > 0 ? " (\(percent(hits, lookups)))" : "")),
            ("  direct", String(value(.directHits))),
            ("  preprocessed", String(value(.preprocessedHits))),
            ("Misses", String(misses)),
        ]
        if !stats.remoteStatus.isEmpty {
            rows.append(("  from local disk", String(hits - min(hits, value(.remoteHits)))))
            rows.append(("  from remote", String(value(.remoteHits))))
        }
        if hits > 0 { rows.append(("Average hit time", milliseconds(value(.hitMicroseconds), hits))) }
        let stores = value(.stores)
        if misses > 0 { rows.append(("Average miss time", milliseconds(value(.missMicroseconds), max(misses, 1)))) }
        rows.append(("Entries stored", String(stores)))
        if value(.manifestUpdates) > 0 { rows.append(("Manifest updates", String(value(.manifestUpdates)))) }
        let notStored = Statistic.allCases.filter { $0.isNotStoredReason && value($0) > 0 }
        if !notStored.isEmpty {
            rows.append(("Not stored", String(notStored.reduce(0) { $0 + value($1) })))
            for statistic in notStored { rows.append(("  " + statistic.label, String(value(statistic)))) }
        }
        let uncacheable = Statistic.allCases.filter { $0.isUncacheableReason && value($0) > 0 }
        let uncacheableTotal = uncacheable.reduce(0) { $0 + value($1) }
        rows.append(("Not cacheable", String(uncacheableTotal)))
        for statistic in uncacheable { rows.append(("  " + statistic.label, String(value(statistic)))) }
        for statistic in [
            Statistic.recaches, .compileFailures, .preprocessorFailures, .compilerKilled,
            .compilerProducedNoOutput,
        ] where value(statistic) > 0 {
            rows.append((statistic.label, String(value(statistic))))
        }
        let errors = Statistic.allCases.filter { $0.isError && value($0) > 0 }
        rows.append(("Errors", String(errors.reduce(0) { $0 + value($1) })))
        for statistic in errors { rows.append(("  " + statistic.label, String(value(statistic)))) }
        if !stats.remoteStatus.isEmpty {
            rows.append(("Remote", stats.remoteStatus))
            for statistic in Statistic.allCases where statistic.isRemote && statistic != .remoteHits {
                rows.append(("  " + statistic.label, String(value(statistic))))
            }
        }
        rows.append(("Cache size", "\(bytes(stats.byteCount)) of \(bytes(stats.maximumBytes))"))
        rows.append(("Entries in cache", String(stats.entryCount)))
        if value(.evictions) > 0 { rows.append(("Entries evicted", String(value(.evictions)))) }
        let width = rows.map { $0.0.count }.max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count + 2) + $0.1 + "\n" }.joined()
    }

    /// One JSON object: every counter by name, plus the cache's size.
    static func json(_ stats: WireStats) -> String {
        let values = self.values(stats)
        var fields = Statistic.allCases.map { "\"\($0.name)\": \(values[$0] ?? 0)" }
        fields.append("\"cache_entries\": \(stats.entryCount)")
        fields.append("\"cache_bytes\": \(stats.byteCount)")
        fields.append("\"cache_max_bytes\": \(stats.maximumBytes)")
        fields.append("\"cache_dir\": \(jsonString(stats.cacheDirectory))")
        fields.append("\"remote\": \(jsonString(stats.remoteStatus))")
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

private func percent(_ part: UInt64, _ whole: UInt64) -> String {
    let tenths = part * 1000 / whole
    return "\(tenths / 10).\(tenths % 10) %"
}

private func milliseconds(_ microseconds: UInt64, _ count: UInt64) -> String {
    let average = microseconds / max(count, 1)
    return "\(average / 1000).\(String(average % 1000 / 10).leftPadded(2)) ms"
}

private func bytes(_ count: UInt64) -> String {
    let units: [(UInt64, String)] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
    for (size, name) in units where count >= size {
        let tenths = count * 10 / size
        return "\(tenths / 10).\(tenths % 10) \(name)"
    }
    return "\(count) B"
}

private func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default:
            if scalar.value < 0x20 {
                out += "\\u00" + String(scalar.value, radix: 16).leftPadded(2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
