/// The format of rollup files: JSON Lines (default) or CSV with a header line.
public enum RollupFileFormat: String, Sendable, CaseIterable {
    case jsonl
    case csv

    /// File name extension, without the dot.
    public var fileExtension: String { rawValue }

    /// Column names, in file order.
    public static let columns = [
        "window", "start", "end", "site", "device", "metric",
        "count", "min", "max", "sum", "mean", "first", "last", "stddev",
    ]
}
