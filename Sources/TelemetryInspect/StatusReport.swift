import Foundation
import TelemetryCore
import TelemetryStorage

/// The daemon's `status.json`, rendered for people.
///
/// Known parts get their own sections with aligned values and derived numbers: uptime
/// (`updated − started`), how long ago the file was updated, per-second rates of the counters
/// over the uptime, shares of dead letters by reason, ring occupancy as a share of capacity.
/// The schema is treated as open: every member the renderer does not know — at the top level or
/// inside a known object — is listed under "Other" as a flattened `a.b.c  value` line, in file
/// order, so fields added by newer daemons show up without a CLI change. All text from the file
/// is sanitised with ``TerminalSafeText``.
///
/// Threading: an immutable value type; ``load(dataDirectory:)`` does blocking file I/O.
package struct StatusReport: Sendable {
    /// Where the status was read from.
    package let path: String
    /// The top-level members in file order.
    package let members: [JSONMember]

    /// Reads `<dataDirectory>/status.json`.
    ///
    /// Throws ``InspectError/statusMissing(dataDirectory:)`` when there is no such file and
    /// ``InspectError/statusUnreadable(path:reason:)`` when it cannot be read or parsed.
    package static func load(dataDirectory: String) throws(InspectError) -> StatusReport {
        let path = DataDirectory(dataDirectory).status
        guard FileManager.default.fileExists(atPath: path) else {
            throw .statusMissing(dataDirectory: dataDirectory)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .statusUnreadable(path: path, reason: "permission denied or not a regular file")
        }
        return try StatusReport(json: String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses status JSON text; it must be one JSON object.
    package init(json: String, path: String) throws(InspectError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            throw .statusUnreadable(
                path: path, reason: "not valid JSON (\(error)); if telemetryd was writing it, try again")
        }
        guard case .object(let members) = value else {
            throw .statusUnreadable(path: path, reason: "expected a JSON object")
        }
        self.path = path
        self.members = members
    }

    private static let overviewKeys: Set<String> = ["version", "mode", "started", "updated"]
    /// Event time: the clocks windows go by, and what missed them.
    private static let eventTimeKeys: Set<String> = ["ingest_clock", "watermark", "idle_close", "next_close", "late_by_window"]
    private static let windowKeys: Set<String> = ["windows", "open_windows", "series"]
    private static let ringKeys: Set<String> = ["capacity", "in_use", "high_water", "overflow_policy"]
    /// Counters shown with a share of another counter: counter → base counter.
    private static let shareOf: [String: String] = [
        "dead_letters": "received", "duplicates": "readings", "late": "readings", "dropped": "readings",
    ]

    /// The report lines; `now` (epoch ms) is used for "updated … ago".
    package func render(now: Int64) -> [String] {
        let root = JSONValue.object(members)
        var other: [(String, String)] = []
        var lines = ["telemetryd status — \(TerminalSafeText.sanitize(path))"]

        func time(_ key: String) -> Int64? { root.member(key)?.stringValue.flatMap(UTCTimestamp.parse) }
        let started = time("started")
        let updated = time("updated")
        let uptimeMs: Int64? = {
            guard let started, let updated, updated > started else { return nil }
            return updated - started
        }()

        // Overview.
        var overview: [[String]] = []
        for member in members where Self.overviewKeys.contains(member.key) {
            var text = Self.scalarText(member.value) ?? "(see Other)"
            switch member.key {
            case "updated":
                if let updated {
                    text += "  (\(Self.duration(now - updated)) ago"
                    let replay = root.member("mode")?.stringValue == "replay"
                    if now - updated > Self.staleAfterMs, !replay { text += " — stale: is telemetryd running?" }
                    text += ")"
                }
            default: break
            }
            overview.append([member.key, text])
            if Self.scalarText(member.value) == nil { Self.flatten(member.value, prefix: member.key, into: &other) }
        }
        if let uptimeMs { overview.append(["uptime", Self.duration(uptimeMs)]) }
        lines += Self.section("Overview", overview)

        // Counters.
        if case .object(let counters)? = root.member("counters") {
            var rows: [[String]] = []
            let seconds = uptimeMs.map { Double($0) / 1000 }
            for c in counters {
                guard let n = c.value.int64Value else {
                    Self.flatten(c.value, prefix: "counters." + c.key, into: &other)
                    continue
                }
                var rate = ""
                if let seconds, seconds > 0, n > 0 { rate = Self.rate(Double(n) / seconds) }
                var note = ""
                if let base = Self.shareOf[c.key], let total = root.member("counters")?.member(base)?.int64Value,
                   total > 0 {
                    note = Self.percent(n, of: total) + " of " + base
                }
                rows.append([c.key, CompactNumber.grouped(n), rate, note])
            }
            lines += Self.section("Counters", rows, rightAligned: [false, true, true, false])
        } else if let counters = root.member("counters") {
            Self.flatten(counters, prefix: "counters", into: &other)
        }

        // Dead letters by reason.
        if case .object(let reasons)? = root.member("dead_letters_by_reason") {
            var counted: [(String, Int64)] = []
            for r in reasons {
                if let n = r.value.int64Value { counted.append((r.key, n)) } else {
                    Self.flatten(r.value, prefix: "dead_letters_by_reason." + r.key, into: &other)
                }
            }
            let total = counted.reduce(Int64(0)) { $0 + $1.1 }
            let rows = counted.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.map {
                [$0.0, CompactNumber.grouped($0.1), total > 0 ? Self.percent($0.1, of: total) : ""]
            }
            lines += Self.section("Dead letters by reason", rows, rightAligned: [false, true, true])
        } else if let reasons = root.member("dead_letters_by_reason") {
            Self.flatten(reasons, prefix: "dead_letters_by_reason", into: &other)
        }

        // Ring.
        if case .object(let ring)? = root.member("ring") {
            let capacity = root.member("ring")?.member("capacity")?.int64Value
            var rows: [[String]] = []
            for m in ring {
                guard Self.ringKeys.contains(m.key), let text = Self.scalarText(m.value) else {
                    Self.flatten(m.value, prefix: "ring." + m.key, into: &other)
                    continue
                }
                var shown = text
                var note = ""
                if let n = m.value.int64Value {
                    shown = CompactNumber.grouped(n)
                    if m.key != "capacity", let capacity, capacity > 0 {
                        note = Self.percent(n, of: capacity) + " of capacity"
                    }
                }
                rows.append([m.key.replacingAll("_", with: " "), shown, note])
            }
            lines += Self.section("Ring buffer", rows, rightAligned: [false, false, false])
        } else if let ring = root.member("ring") {
            Self.flatten(ring, prefix: "ring", into: &other)
        }

        // Event time.
        var eventRows: [[String]] = []
        for m in members where Self.eventTimeKeys.contains(m.key) {
            switch m.key {
            case "late_by_window":
                guard case .object(let sizes) = m.value else { Self.flatten(m.value, prefix: m.key, into: &other); continue }
                let parts = sizes.map { "\($0.key) \($0.value.int64Value.map(CompactNumber.grouped) ?? "?")" }
                eventRows.append(["late by window", parts.joined(separator: ", ")])
                if let tooLate = root.member("counters")?.member("late")?.int64Value {
                    eventRows.append(["too late", CompactNumber.grouped(tooLate) + "  (no window of their device could take them)"])
                }
            default:
                guard var text = Self.scalarText(m.value) else { Self.flatten(m.value, prefix: m.key, into: &other); continue }
                if let updated, let t = time(m.key) {
                    switch m.key {
                    case "watermark":
                        let gap = updated >= t ? "\(Self.duration(updated - t)) behind" : "\(Self.duration(t - updated)) ahead of"
                        text += "  (latest event time of any device; \(gap) updated)"
                    case "next_close":
                        text += t > updated ? "  (in \(Self.duration(t - updated)))" : "  (due)"
                    default: break
                    }
                }
                eventRows.append([m.key.replacingAll("_", with: " "), text])
            }
        }
        lines += Self.section("Event time", eventRows)

        // Windows.
        var windowRows: [[String]] = []
        for m in members where Self.windowKeys.contains(m.key) {
            if case .array(let items) = m.value, items.allSatisfy({ $0.stringValue != nil }) {
                windowRows.append([m.key, items.compactMap(\.stringValue).joined(separator: ", ")])
            } else if let text = Self.scalarText(m.value) {
                windowRows.append([m.key.replacingAll("_", with: " "), text])
            } else {
                Self.flatten(m.value, prefix: m.key, into: &other)
            }
        }
        lines += Self.section("Windows", windowRows)

        // Everything else, flattened, in file order.
        let known = Self.overviewKeys.union(Self.windowKeys).union(Self.eventTimeKeys)
            .union(["counters", "dead_letters_by_reason", "ring"])
        for m in members where !known.contains(m.key) {
            Self.flatten(m.value, prefix: m.key, into: &other)
        }
        lines += Self.section("Other", other.map { [$0.0, $0.1] })
        return lines
    }

    private static func section(_ title: String, _ rows: [[String]], rightAligned: [Bool] = []) -> [String] {
        guard !rows.isEmpty else { return [] }
        let count = rows.map(\.count).max() ?? 0
        let columns = (0..<count).map { i in
            TableRenderer.Column("", alignRight: i < rightAligned.count && rightAligned[i])
        }
        let body = TableRenderer.render(columns: columns, rows: rows, header: false).map { line -> String in
            var l = "  " + line
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }
        return ["", title] + body
    }

    /// A scalar's text (unquoted string, number literal, true/false/null); `nil` for containers.
    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .object, .array: nil
        }
    }

    /// Appends `prefix  value` lines for `value`, descending into objects (`a.b`) and arrays
    /// (`a[0]`); arrays of scalars are shown inline as `[x, y]`.
    static func flatten(_ value: JSONValue, prefix: String, into out: inout [(String, String)]) {
        switch value {
        case .object(let members):
            if members.isEmpty { out.append((prefix, "{}")) }
            for m in members { flatten(m.value, prefix: prefix + "." + m.key, into: &out) }
        case .array(let items):
            let scalars = items.compactMap(scalarText)
            if scalars.count == items.count {
                out.append((prefix, "[" + scalars.joined(separator: ", ") + "]"))
            } else {
                for (i, item) in items.enumerated() { flatten(item, prefix: "\(prefix)[\(i)]", into: &out) }
            }
        default:
            out.append((prefix, scalarText(value) ?? ""))
        }
    }

    /// A status older than this (and not from a finished replay) is flagged as stale.
    static let staleAfterMs: Int64 = 60_000

    /// A rate per second shown in a unit that keeps it readable: `/s`, `/min` or `/h`.
    static func rate(_ perSecond: Double) -> String {
        if perSecond >= 1 { return CompactNumber.format(perSecond) + "/s" }
        if perSecond * 60 >= 1 { return CompactNumber.format(perSecond * 60) + "/min" }
        return CompactNumber.format(perSecond * 3600) + "/h"
    }

    static func percent(_ part: Int64, of whole: Int64) -> String {
        let p = Double(part) / Double(whole) * 100
        return p >= 10 || p == 0 ? String(format: "%.0f%%", p) : String(format: "%.1f%%", p)
    }

    /// A duration like `1h 0m 3s`, `2d 4h`, `850ms`; negative durations get a leading `-`.
    static func duration(_ ms: Int64) -> String {
        if ms < 0 { return "-" + duration(-ms) }
        if ms < 1_000 { return "\(ms)ms" }
        let s = ms / 1_000
        let (d, h, m, sec) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60)
        if d > 0 { return "\(d)d \(h)h" }
        if h > 0 { return "\(h)h \(m)m \(sec)s" }
        if m > 0 { return "\(m)m \(sec)s" }
        return "\(sec)s"
    }
}
