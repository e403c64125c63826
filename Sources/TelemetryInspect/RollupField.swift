public import TelemetryCore

/// One numeric field of a rollup, as chosen with `plot --field`.
///
/// Threading: a plain enum; safe to share.
public enum RollupField: String, CaseIterable, Sendable {
    case mean, min, max, sum, count, first, last, stddev

    /// What `init(rawValue:)` accepts, for error messages.
    public static let expectedFormat = "one of " + allCases.map(\.rawValue).joined(separator: ", ")

    /// This field's value in `row` (`count` converted to `Double`).
    public func value(in row: RollupRow) -> Double {
        switch self {
        case .mean: row.mean
        case .min: row.min
        case .max: row.max
        case .sum: row.sum
        case .count: Double(row.count)
        case .first: row.first
        case .last: row.last
        case .stddev: row.stddev
        }
    }
}
