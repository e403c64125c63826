/// Renders rollups as the lines of a rollup file, in either ``RollupFileFormat``.
///
/// A JSON line is one object with every ``RollupColumn`` in order, written by ``JSONWriter``;
/// a CSV line has the same columns, written by ``CSVWriter``. Floats carry a decimal point or
/// an exponent (`230.0`, never `230`), so DuckDB and pandas type the columns as floating
/// point from the first row; a non-finite value (only possible if sums overflow) is `null`
/// (JSON) or empty (CSV). A ``RollupRow`` read back from a file renders to the same bytes.
///
/// Threading: stateless.
public enum RollupEncoder {
    /// Appends one line (with its `\n`) for `rollup` in `format` to `out`.
    public static func append(_ rollup: Rollup, format: RollupFileFormat, to out: inout [UInt8]) {
        append(RollupRow(rollup), format: format, to: &out)
    }

    /// Appends one line (with its `\n`) for `row` in `format` to `out`.
    public static func append(_ row: RollupRow, format: RollupFileFormat, to out: inout [UInt8]) {
        switch format {
        case .jsonl:
            JSONWriter.append(to: &out) { w in
                w.beginObject()
                for column in RollupColumn.allCases {
                    w.key(column.rawValue)
                    switch row.cell(column) {
                    case .text(let s): w.string(s)
                    case .integer(let n): w.integer(n)
                    case .float(let v): w.float(v)
                    }
                }
                w.endObject()
            }
        case .csv:
            for (i, column) in RollupColumn.allCases.enumerated() {
                if i > 0 { out.append(0x2C) }
                switch row.cell(column) {
                case .text(let s): CSVWriter.appendField(s, to: &out)
                case .integer(let n): JSONWriter.appendInteger(n, to: &out)
                case .float(let v): CSVWriter.appendFloat(v, to: &out)
                }
            }
        }
        out.append(0x0A)
    }

    /// The header line of a CSV file (with its `\n`).
    public static let csvHeader: [UInt8] = Array((RollupFileFormat.columns.joined(separator: ",") + "\n").utf8)
}

/// One value of a rollup line, by kind: how each format writes it.
enum RollupCell {
    case text(String)
    case integer(Int64)
    case float(Double)
}

extension RollupRow {
    /// The value of `column`; times as RFC 3339 UTC text with milliseconds.
    func cell(_ column: RollupColumn) -> RollupCell {
        switch column {
        case .window: .text(window.name)
        case .start: .text(UTCTimestamp.format(milliseconds: start))
        case .end: .text(UTCTimestamp.format(milliseconds: end))
        case .site: .text(site)
        case .device: .text(device)
        case .metric: .text(metric)
        case .count: .integer(count)
        case .min: .float(min)
        case .max: .float(max)
        case .sum: .float(sum)
        case .mean: .float(mean)
        case .first: .float(first)
        case .last: .float(last)
        case .stddev: .float(stddev)
        }
    }
}
