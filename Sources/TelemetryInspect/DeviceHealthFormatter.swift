package import TelemetryCore
import TelemetryStorage

/// Turns the devices of a ``DeviceListingResult`` into output lines for each ``OutputFormat``.
///
/// - JSON Lines: the file's lines exactly as read (`devices.jsonl`'s format, unknown keys
///   included), so the output feeds anything that reads the file.
/// - CSV: `site, device, last_arrival, last_event, watermark, clock_offset_s, messages,
///   readings, duplicates, gaps, restarts, too_late, late_<window>… (one column per window
///   size present, by size), dead_letters, open_windows`; times RFC 3339 (empty when not
///   known), the offset in seconds with a decimal point (``CSVWriter``).
/// - Table: for people — last seen as an age (`3s ago`), the clock offset compact and signed
///   (`+4m00s`, `-10m02s`, `+0.4s`), late as the misses summed over window sizes. Cells are
///   sanitised by ``TableRenderer``.
///
/// Threading: stateless; safe from any thread. Returns strings; never prints.
package enum DeviceHealthFormatter {
    /// Table columns.
    package static let tableColumns: [TableRenderer.Column] = [
        .init("site"), .init("device"), .init("last seen", alignRight: true), .init("offset", alignRight: true),
        .init("messages", alignRight: true), .init("readings", alignRight: true), .init("dup", alignRight: true),
        .init("gaps", alignRight: true), .init("restarts", alignRight: true), .init("too late", alignRight: true),
        .init("late", alignRight: true), .init("dead letters", alignRight: true), .init("open", alignRight: true),
    ]

    /// Table cells of `d` (raw; ``TableRenderer`` sanitises them), ages from `asOfMs`.
    package static func tableCells(_ d: DeviceHealth, asOfMs: Int64?) -> [String] {
        [
            d.site, d.device, age(lastMs: d.lastArrivalMs, asOfMs: asOfMs), offset(ms: d.clockOffsetMs),
            String(d.messages), String(d.readings), String(d.duplicates), String(d.gaps), String(d.restarts),
            String(d.tooLate), String(d.late), String(d.deadLetters), String(d.openWindows),
        ]
    }

    /// The CSV header for devices whose windows are `windows` (in order).
    package static func csvHeader(windows: [String]) -> String {
        CSVWriter.record(
            ["site", "device", "last_arrival", "last_event", "watermark", "clock_offset_s", "messages", "readings",
             "duplicates", "gaps", "restarts", "too_late"]
                + windows.map { "late_" + $0 } + ["dead_letters", "open_windows"])
    }

    /// One CSV record (no line terminator), with a `late_<window>` field for each of `windows`.
    package static func csvLine(_ d: DeviceHealth, windows: [String]) -> String {
        func time(_ ms: Int64) -> String { ms == DeviceHealth.never ? "" : UTCTimestamp.format(milliseconds: ms) }
        var offset: [UInt8] = []
        CSVWriter.appendFloat(d.clockOffsetMs / 1000, to: &offset)
        return CSVWriter.record(
            [d.site, d.device, time(d.lastArrivalMs), time(d.lastEventMs), time(d.watermarkMs),
             String(decoding: offset, as: UTF8.self), String(d.messages), String(d.readings), String(d.duplicates),
             String(d.gaps), String(d.restarts), String(d.tooLate)]
                + windows.map { String(d.lateByWindow[$0] ?? 0) } + [String(d.deadLetters), String(d.openWindows)])
    }

    /// Every output line for `result` in `format` (table: header, rule, rows; CSV: header, rows).
    package static func render(_ result: DeviceListingResult, format: OutputFormat) -> [String] {
        let devices = result.lines.map(\.health)
        switch format {
        case .json:
            return result.lines.map(\.text)
        case .csv:
            let windows = DeviceHealth.windowOrder(Set(devices.flatMap(\.lateByWindow.keys)))
            return [csvHeader(windows: windows)] + devices.map { csvLine($0, windows: windows) }
        case .table:
            return TableRenderer.render(columns: tableColumns, rows: devices.map { tableCells($0, asOfMs: result.asOfMs) })
        }
    }

    /// A clock offset for people: signed, `+0.4s` and `-9.5s` under ten seconds, then whole
    /// units — `+42s`, `+4m00s`, `-10m02s`, `+2h03m`, `+3d04h`; `0.0s` when it rounds to zero;
    /// `-` when not known.
    package static func offset(ms: Double) -> String {
        guard ms.isFinite else { return "-" }
        let sign = ms < 0 ? "-" : "+"
        let magnitude = abs(ms)
        if magnitude < 9_950 {
            let tenths = Int64((magnitude / 100).rounded())
            return tenths == 0 ? "0.0s" : "\(sign)\(tenths / 10).\(tenths % 10)s"
        }
        guard magnitude < 9.0e15 else { return sign + "∞" }
        return sign + duration(ms: Int64((magnitude / 1_000).rounded()) * 1_000)  // to the nearest second
    }

    /// How long before `asOfMs` the time `lastMs` was: `3s ago`, `4m10s ago`, `2h03m ago`,
    /// `3d04h ago`; `never` when it is not known; `in 5s` when it is after `asOfMs`.
    package static func age(lastMs: Int64, asOfMs: Int64?) -> String {
        guard lastMs != DeviceHealth.never, let asOfMs else { return "never" }
        let (difference, overflow) = asOfMs.subtractingReportingOverflow(lastMs)
        if overflow { return "-" }
        return difference >= 0 ? duration(ms: difference) + " ago" : "in " + duration(ms: -difference)
    }

    /// A duration in at most two units, rounded down: `850ms` → `0s`, `42s`, `4m00s`, `2h03m`, `3d04h`.
    package static func duration(ms: Int64) -> String {
        let s = max(ms, 0) / 1_000
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if s < 60 { return "\(s)s" }
        if s < 3_600 { return "\(s / 60)m\(two(s % 60))s" }
        if s < 86_400 { return "\(s / 3_600)h\(two(s / 60 % 60))m" }
        return "\(s / 86_400)d\(two(s / 3_600 % 24))h"
    }
}
