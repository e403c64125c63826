package import TelemetryCore

/// Turns ``RollupRow``s into output lines for each ``OutputFormat``.
///
/// - JSON Lines and CSV: exactly the rollup file's line format (``RollupEncoder``), so a row
///   read from a file prints as the same bytes the daemon wrote, and the output can be fed to
///   anything that reads rollup files.
/// - Table: start (UTC), tags and compact numbers; `window`/`end` are left out because a query
///   is for one window. Cells are sanitised by ``TableRenderer``.
///
/// Threading: stateless; safe from any thread. Returns strings; never prints.
package enum RollupRowFormatter {
    /// The CSV header line.
    package static let csvHeader = String(decoding: RollupEncoder.csvHeader.dropLast(), as: UTF8.self)

    /// One JSON object (no trailing newline), as in a `.jsonl` rollup file.
    package static func jsonLine(_ row: RollupRow) -> String { line(row, .jsonl) }

    /// One CSV record (no line terminator), as in a `.csv` rollup file. Non-finite floats are
    /// written as empty fields.
    package static func csvLine(_ row: RollupRow) -> String { line(row, .csv) }

    private static func line(_ row: RollupRow, _ format: RollupFileFormat) -> String {
        var bytes: [UInt8] = []
        RollupEncoder.append(row, format: format, to: &bytes)
        return String(decoding: bytes.dropLast(), as: UTF8.self)
    }

    /// Table columns for rollup rows.
    package static let tableColumns: [TableRenderer.Column] = [
        .init("start (UTC)"), .init("site"), .init("device"), .init("metric"),
        .init("count", alignRight: true), .init("min", alignRight: true), .init("max", alignRight: true),
        .init("mean", alignRight: true), .init("sum", alignRight: true), .init("first", alignRight: true),
        .init("last", alignRight: true), .init("stddev", alignRight: true),
    ]

    /// Table cells of `row` (raw; ``TableRenderer`` sanitises them).
    package static func tableCells(_ row: RollupRow) -> [String] {
        [
            tableTime(row.start), row.site, row.device, row.metric, String(row.count),
            CompactNumber.format(row.min), CompactNumber.format(row.max), CompactNumber.format(row.mean),
            CompactNumber.format(row.sum), CompactNumber.format(row.first), CompactNumber.format(row.last),
            CompactNumber.format(row.stddev),
        ]
    }

    /// Every output line for `rows` in `format` (table: header, rule, rows; CSV: header, rows).
    package static func render(_ rows: [RollupRow], format: OutputFormat) -> [String] {
        switch format {
        case .json: rows.map(jsonLine)
        case .csv: [csvHeader] + rows.map(csvLine)
        case .table: TableRenderer.render(columns: tableColumns, rows: rows.map(tableCells))
        }
    }

    /// A window start for tables: `2026-11-24 06:00:00` (milliseconds only when not zero).
    package static func tableTime(_ ms: Int64) -> String {
        var text = UTCTimestamp.format(milliseconds: ms)
        text.removeLast()  // Z
        if text.hasSuffix(".000") { text.removeLast(4) }
        return text.replacingAll("T", with: " ")
    }
}
