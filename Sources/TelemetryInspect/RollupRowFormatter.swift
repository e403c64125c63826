import TelemetryCore

/// Turns ``RollupRow``s into output lines for each ``OutputFormat``.
///
/// - JSON Lines: exactly the rollup file fields, in file order (``RollupRow/fieldNames``);
///   strings escaped by ``JSONText``; floats always with a decimal point or exponent.
/// - CSV: the daemon's header and RFC 4180 rows (``CSVText``), so output can be fed back to
///   anything that reads rollup CSV.
/// - Table: start (UTC), tags and compact numbers; `window`/`end` are left out because a query
///   is for one window. Cells are sanitised by ``TableRenderer``.
///
/// Threading: stateless; safe from any thread. Returns strings; never prints.
public enum RollupRowFormatter {
    /// The CSV header line.
    public static let csvHeader = RollupRow.fieldNames.joined(separator: ",")

    /// One JSON object (no trailing newline).
    public static func jsonLine(_ row: RollupRow) -> String {
        var s = "{\"window\":" + JSONText.string(row.window.name)
        s += ",\"start\":" + JSONText.string(UTCTimestamp.format(milliseconds: row.start))
        s += ",\"end\":" + JSONText.string(UTCTimestamp.format(milliseconds: row.end))
        s += ",\"site\":" + JSONText.string(row.site)
        s += ",\"device\":" + JSONText.string(row.device)
        s += ",\"metric\":" + JSONText.string(row.metric)
        s += ",\"count\":" + String(row.count)
        s += ",\"min\":" + JSONText.float(row.min)
        s += ",\"max\":" + JSONText.float(row.max)
        s += ",\"sum\":" + JSONText.float(row.sum)
        s += ",\"mean\":" + JSONText.float(row.mean)
        s += ",\"first\":" + JSONText.float(row.first)
        s += ",\"last\":" + JSONText.float(row.last)
        s += ",\"stddev\":" + JSONText.float(row.stddev)
        return s + "}"
    }

    /// One CSV record (no line terminator). Non-finite floats are written as empty fields.
    public static func csvLine(_ row: RollupRow) -> String {
        func f(_ d: Double) -> String { d.isFinite ? JSONText.float(d) : "" }
        return CSVText.record([
            row.window.name, UTCTimestamp.format(milliseconds: row.start),
            UTCTimestamp.format(milliseconds: row.end), row.site, row.device, row.metric,
            String(row.count), f(row.min), f(row.max), f(row.sum), f(row.mean), f(row.first),
            f(row.last), f(row.stddev),
        ])
    }

    /// Table columns for rollup rows.
    public static let tableColumns: [TableRenderer.Column] = [
        .init("start (UTC)"), .init("site"), .init("device"), .init("metric"),
        .init("count", alignRight: true), .init("min", alignRight: true), .init("max", alignRight: true),
        .init("mean", alignRight: true), .init("sum", alignRight: true), .init("first", alignRight: true),
        .init("last", alignRight: true), .init("stddev", alignRight: true),
    ]

    /// Table cells of `row` (raw; ``TableRenderer`` sanitises them).
    public static func tableCells(_ row: RollupRow) -> [String] {
        [
            tableTime(row.start), row.site, row.device, row.metric, String(row.count),
            CompactNumber.format(row.min), CompactNumber.format(row.max), CompactNumber.format(row.mean),
            CompactNumber.format(row.sum), CompactNumber.format(row.first), CompactNumber.format(row.last),
            CompactNumber.format(row.stddev),
        ]
    }

    /// Every output line for `rows` in `format` (table: header, rule, rows; CSV: header, rows).
    public static func render(_ rows: [RollupRow], format: OutputFormat) -> [String] {
        switch format {
        case .json: rows.map(jsonLine)
        case .csv: [csvHeader] + rows.map(csvLine)
        case .table: TableRenderer.render(columns: tableColumns, rows: rows.map(tableCells))
        }
    }

    /// A window start for tables: `2026-11-24 06:00:00` (milliseconds only when not zero).
    public static func tableTime(_ ms: Int64) -> String {
        var text = UTCTimestamp.format(milliseconds: ms)
        text.removeLast()  // Z
        if text.hasSuffix(".000") { text.removeLast(4) }
        return text.replacingAll("T", with: " ")
    }
}
