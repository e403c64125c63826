package import TelemetryCore

/// Turns ``RollupRow``s into output lines for each ``OutputFormat``.
///
/// - JSON Lines and CSV: exactly the rollup file's line format (``RollupEncoder``), so a row
///   read from a file prints as the same bytes the daemon wrote, and the output can be fed to
///   anything that reads rollup files.
/// - Table: ``RollupTable`` (start in the display zone, tags, each float column with the
///   decimals its values need; `end` left out, `window` only when several windows are shown).
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

    /// Every output line for `rows` in `format` (table: header, rule, rows, as ``RollupTable``
    /// draws it in `style`; CSV: header, rows).
    package static func render(_ rows: [RollupRow], format: OutputFormat, style: RollupTable.Style = .init()) -> [String] {
        switch format {
        case .json: rows.map(jsonLine)
        case .csv: [csvHeader] + rows.map(csvLine)
        case .table: RollupTable.render(rows, style: style)
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
