import TelemetryCore

/// Turns ``SeriesSummary`` values into output lines for each ``OutputFormat``.
///
/// JSON Lines objects and CSV columns are `window, site, device, metric, rollups, first_start,
/// last_start` (times in RFC 3339 UTC with milliseconds).
///
/// Threading: stateless; safe from any thread. Returns strings; never prints.
package enum SeriesSummaryFormatter {
    /// The CSV header line.
    package static let csvHeader = "window,site,device,metric,rollups,first_start,last_start"

    /// One JSON object (no trailing newline).
    package static func jsonLine(_ s: SeriesSummary) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("window"); w.string(s.window.name)
        w.key("site"); w.string(s.series.site)
        w.key("device"); w.string(s.series.device)
        w.key("metric"); w.string(s.series.metric)
        w.key("rollups"); w.integer(s.rollups)
        w.key("first_start"); w.string(UTCTimestamp.format(milliseconds: s.firstStart))
        w.key("last_start"); w.string(UTCTimestamp.format(milliseconds: s.lastStart))
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// One CSV record (no line terminator).
    package static func csvLine(_ s: SeriesSummary) -> String {
        CSVWriter.record([
            s.window.name, s.series.site, s.series.device, s.series.metric, String(s.rollups),
            UTCTimestamp.format(milliseconds: s.firstStart), UTCTimestamp.format(milliseconds: s.lastStart),
        ])
    }

    /// Table columns, times in `timeZone`.
    package static func tableColumns(timeZone: DisplayTimeZone = .utc) -> [TableRenderer.Column] {
        [
            .init("window"), .init("site"), .init("device"), .init("metric"), .init("rollups", alignRight: true),
            .init(timeZone.header("first start")), .init(timeZone.header("last start")),
        ]
    }

    /// Table cells (raw; ``TableRenderer`` sanitises them), times in `timeZone`.
    package static func tableCells(_ s: SeriesSummary, timeZone: DisplayTimeZone = .utc) -> [String] {
        [
            s.window.name, s.series.site, s.series.device, s.series.metric, String(s.rollups),
            timeZone.tableTime(s.firstStart), timeZone.tableTime(s.lastStart),
        ]
    }

    /// Every output line for `series` in `format` (table times in `timeZone`).
    package static func render(_ series: [SeriesSummary], format: OutputFormat, timeZone: DisplayTimeZone = .utc) -> [String] {
        switch format {
        case .json: series.map(jsonLine)
        case .csv: [csvHeader] + series.map(csvLine)
        case .table:
            TableRenderer.render(columns: tableColumns(timeZone: timeZone), rows: series.map { tableCells($0, timeZone: timeZone) })
        }
    }
}
