import Foundation
import TelemetryCore

/// Rollup rows merged by (window, start, site, device, metric), the way a reader must merge
/// them: after an idle close, readings that arrive later for the same window (a
/// store-and-forward backlog) go into a further row with the same key, and the rows of one
/// key partition that window's readings.
///
/// count and sum add, min/max combine, mean is count-weighted, and stddev (population)
/// combines with Chan et al.'s parallel formula: M2 = M2a + M2b + δ²·na·nb/n, where
/// M2 = stddev²·count and δ = meanb − meana. first/last are kept only for a key written as
/// one row: a row does not say when its first and last readings were taken, so which row
/// holds the merged first (or last) cannot be told from the files.
///
/// Threading: value types; used by one test at a time.
struct MergedRollup {
    var rows = 0
    var count = 0
    var min = Double.infinity, max = -Double.infinity, sum = 0.0, mean = 0.0, m2 = 0.0
    var first: Double?, last: Double?

    var stddev: Double { count > 0 ? (m2 / Double(count)).squareRoot() : 0 }

    mutating func add(_ row: FileRollup) {
        let nb = Double(row.count), meanb = row.values["mean"]!, sdb = row.values["stddev"]!
        if rows == 0 {
            mean = meanb
            m2 = sdb * sdb * nb
            first = row.values["first"]
            last = row.values["last"]
        } else {
            let na = Double(count), n = na + nb, delta = meanb - mean
            mean += delta * nb / n
            m2 += sdb * sdb * nb + delta * delta * na * nb / n
            first = nil
            last = nil
        }
        rows += 1
        count += row.count
        min = Swift.min(min, row.values["min"]!)
        max = Swift.max(max, row.values["max"]!)
        sum += row.values["sum"]!
    }

    /// `rows` merged by key.
    static func merge(_ rows: [FileRollup]) -> [ReferenceRollups.Key: MergedRollup] {
        var merged: [ReferenceRollups.Key: MergedRollup] = [:]
        for row in rows { merged[key(of: row), default: MergedRollup()].add(row) }
        return merged
    }

    static func key(of row: FileRollup) -> ReferenceRollups.Key {
        ReferenceRollups.Key(
            window: row.window, startMs: UTCTimestamp.parse(row.start)!, site: row.site, device: row.device,
            metric: row.metric)
    }

    /// What differs between the merged `rows` and the `expected` groups (a naive computation
    /// from the capture, `ReferenceRollups.compute`), keys for which `include` holds only:
    /// keys missing or unexpected, counts, and every statistic. Empty when they agree.
    static func differences(
        _ rows: [FileRollup], expected: [ReferenceRollups.Key: [(Int64, Double)]],
        include: (ReferenceRollups.Key) -> Bool = { _ in true }
    ) -> [String] {
        let merged = merge(rows).filter { include($0.key) }
        let wanted = expected.filter { include($0.key) }
        var problems: [String] = []
        for key in Set(wanted.keys).subtracting(merged.keys).sorted(by: order) {
            problems.append("missing \(describe(key)) (\(wanted[key]!.count) readings)")
        }
        for key in Set(merged.keys).subtracting(wanted.keys).sorted(by: order) {
            problems.append("unexpected \(describe(key)) (count \(merged[key]!.count))")
        }
        for (key, values) in wanted.sorted(by: { order($0.key, $1.key) }) {
            guard let m = merged[key] else { continue }
            let (count, fields) = ReferenceRollups.stats(values)
            guard m.count == count else {
                problems.append("\(describe(key)): count \(m.count) in \(m.rows) row(s), expected \(count)")
                continue
            }
            var actual = ["min": m.min, "max": m.max, "sum": m.sum, "mean": m.mean, "stddev": m.stddev]
            if let first = m.first, let last = m.last { actual["first"] = first; actual["last"] = last }
            for (name, v) in actual.sorted(by: { $0.key < $1.key }) where !close(v, fields[name]!) {
                problems.append("\(describe(key)) \(name): \(v), expected \(fields[name]!)")
            }
        }
        return problems
    }

    /// A short report of `problems` for an expectation's message.
    static func summary(_ problems: [String], limit: Int = 8) -> String {
        "\(problems.count) difference(s):\n" + problems.prefix(limit).joined(separator: "\n")
            + (problems.count > limit ? "\n…" : "")
    }

    private static func order(_ a: ReferenceRollups.Key, _ b: ReferenceRollups.Key) -> Bool {
        (a.device, a.window, a.startMs, a.metric, a.site) < (b.device, b.window, b.startMs, b.metric, b.site)
    }

    private static func describe(_ key: ReferenceRollups.Key) -> String {
        "\(key.window) \(UTCTimestamp.format(milliseconds: key.startMs)) \(key.site)/\(key.device)/\(key.metric)"
    }
}
