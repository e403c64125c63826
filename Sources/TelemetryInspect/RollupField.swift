package import TelemetryCore

/// One numeric field of a rollup, as chosen with `plot --field`.
///
/// Threading: a plain enum; safe to share.
package enum RollupField: String, CaseIterable, Sendable {
    case mean, min, max, sum, count, first, last, stddev

    /// What `init(rawValue:)` accepts, for error messages.
    package static let expectedFormat = "one of " + allCases.map(\.rawValue).joined(separator: ", ")

    /// This field's value in `row` (`count` converted to `Double`).
    package func value(in row: RollupRow) -> Double {
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
