/// Renders rollups as the lines of a rollup file, in either ``RollupFileFormat``.
///
/// A JSON line is one object with every ``RollupColumn`` in order, by ``JSONWriter``'s rules;
/// a CSV line has the same columns, by ``CSVWriter``'s (``RollupLineEncoder`` writes both,
/// and is what a writer of many lines keeps). Floats carry a decimal point or
/// an exponent (`230.0`, never `230`), so DuckDB and pandas type the columns as floating
/// point from the first row; a non-finite value (only possible if sums overflow) is `null`
/// (JSON) or empty (CSV). A ``RollupRow`` read back from a file renders to the same bytes.
///
/// Threading: stateless.
public enum RollupEncoder {
    /// Appends one line (with its `\n`) for `rollup` in `format` to `out`.
    public static func append(_ rollup: Rollup, format: RollupFileFormat, to out: inout [UInt8]) {
        var encoder = RollupLineEncoder(format: format)
        encoder.append(rollup, to: &out)
    }

    /// Appends one line (with its `\n`) for `row` in `format` to `out`.
    public static func append(_ row: RollupRow, format: RollupFileFormat, to out: inout [UInt8]) {
        var encoder = RollupLineEncoder(format: format)
        encoder.append(row, to: &out)
    }

    /// The header line of a CSV file (with its `\n`).
    public static let csvHeader: [UInt8] = Array((RollupFileFormat.columns.joined(separator: ",") + "\n").utf8)
}
