import TelemetryCore

/// Turns ``SeriesSummary`` values into output lines for each ``OutputFormat``.
///
/// JSON Lines objects and CSV columns are `window, site, device, metric, rollups, first_start,
/// last_start` (times in RFC 3339 UTC with milliseconds).
///
/// Threading: stateless; safe from any thread. Returns strings; never prints.
public enum SeriesSummaryFormatter {
    /// The CSV header line.
    public static let csvHeader = "window,site,device,metric,rollups,first_start,last_start"

    /// One JSON object (no trailing newline).
    public static func jsonLine(_ s: SeriesSummary) -> String {
        "{\"window\":" + JSONText.string(s.window.name)
            + ",\"site\":" + JSONText.string(s.series.site)
            + ",\"device\":" + JSONText.string(s.series.device)
            + ",\"metric\":" + JSONText.string(s.series.metric)
            + ",\"rollups\":" + String(s.rollups)
            + ",\"first_start\":" + JSONText.string(UTCTimestamp.format(milliseconds: s.firstStart))
            + ",\"last_start\":" + JSONText.string(UTCTimestamp.format(milliseconds: s.lastStart)) + "}"
    }

    /// One CSV record (no line terminator).
    public static func csvLine(_ s: SeriesSummary) -> String {
        CSVText.record([
            s.window.name, s.series.site, s.series.device, s.series.metric, String(s.rollups),
            UTCTimestamp.format(milliseconds: s.firstStart), UTCTimestamp.format(milliseconds: s.lastStart),
        ])
    }

    /// Table columns.
    public static let tableColumns: [TableRenderer.Column] = [
        .init("window"), .init("site"), .init("device"), .init("metric"), .init("rollups", alignRight: true),
        .init("first start (UTC)"), .init("last start (UTC)"),
    ]

    /// Table cells (raw; ``TableRenderer`` sanitises them).
    public static func tableCells(_ s: SeriesSummary) -> [String] {
        [
            s.window.name, s.series.site, s.series.device, s.series.metric, String(s.rollups),
            RollupRowFormatter.tableTime(s.firstStart), RollupRowFormatter.tableTime(s.lastStart),
        ]
    }

    /// Every output line for `series` in `format`.
    public static func render(_ series: [SeriesSummary], format: OutputFormat) -> [String] {
        switch format {
        case .json: series.map(jsonLine)
        case .csv: [csvHeader] + series.map(csvLine)
        case .table: TableRenderer.render(columns: tableColumns, rows: series.map(tableCells))
        }
    }
}
