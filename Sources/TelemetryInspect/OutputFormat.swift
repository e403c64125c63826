/// How `query`, `series` and `tail` print their results.
///
/// - `table`: aligned columns for people; numbers shown compactly; tag values sanitised with
///   ``TerminalSafeText``.
/// - `json`: JSON Lines, one object per rollup with exactly the rollup file's fields in file
///   order, floats always with a decimal point or exponent.
/// - `csv`: a header line then RFC 4180 rows.
///
/// Threading: a plain enum; safe to share.
package enum OutputFormat: String, CaseIterable, Sendable {
    case table, json, csv

    /// What `init(rawValue:)` accepts, for error messages.
    package static let expectedFormat = "one of table, json, csv"
}
