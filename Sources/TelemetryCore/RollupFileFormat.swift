/// The format of rollup files: JSON Lines (the default) or CSV with a header line.
///
/// This is the one place that names the formats and their file extensions; the columns are
/// ``RollupColumn``, the same in both formats and in that order. `rawValue` is both the
/// configuration value (`files.format: jsonl|csv`) and the file extension.
///
/// Threading: a plain enum.
public enum RollupFileFormat: String, Sendable, Hashable, CaseIterable {
    /// `.jsonl`: one JSON object per line.
    case jsonl
    /// `.csv`: a header line, then RFC 4180 rows.
    case csv

    /// File name extension, without the dot.
    public var fileExtension: String { rawValue }

    /// The format a file name's extension names (`06.jsonl`, `06.csv`), or `nil` for any
    /// other name (`06.jsonl.tmp`, `notes.txt`).
    public init?(fileName: String) {
        guard let dot = fileName.lastIndex(of: ".") else { return nil }
        self.init(rawValue: String(fileName[fileName.index(after: dot)...]))
    }

    /// Column names, in file order, with the default percentiles (``RollupColumn/names(percentiles:)``).
    public static let columns = RollupColumn.names(percentiles: Percentile.defaults)
}
