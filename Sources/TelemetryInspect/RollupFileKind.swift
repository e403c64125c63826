/// The encoding of a rollup file, decided by its extension.
///
/// Threading: a plain enum; safe to share.
public enum RollupFileKind: String, Sendable, Hashable, CaseIterable {
    /// `.jsonl`: one JSON object per line.
    case jsonLines = "jsonl"
    /// `.csv`: a header line, then RFC 4180 rows.
    case csv = "csv"

    /// The kind for a file name, or `nil` when the extension is neither `.jsonl` nor `.csv`.
    public init?(fileName: String) {
        if fileName.hasSuffix(".jsonl") {
            self = .jsonLines
        } else if fileName.hasSuffix(".csv") {
            self = .csv
        } else {
            return nil
        }
    }
}
