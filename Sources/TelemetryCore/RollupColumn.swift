/// One column of a rollup file, in file order: the window and its bounds, the series tags,
/// the statistics, the mergeable partial state, then (between `m2` and `sketch`) the
/// configured ``Percentile`` columns, which are not cases here since their names come from
/// the configuration. ``names(percentiles:)`` is the one list of a file's columns.
///
/// `start`, `end`, `first_ts` and `last_ts` are RFC 3339 UTC text with milliseconds
/// (`first_ts`/`last_ts`: the event times of the window's first and last readings); `count`
/// is an integer; `sketch` is a ``QuantileSketch``'s text form; every other statistic
/// (`m2`: Welford's sum of squared deviations from the mean, and the percentiles) is a
/// floating-point number. Without percentiles (`percentiles: []`) there is no `sketch`
/// column either. Later versions may append columns; readers ignore columns they do not know.
///
/// Threading: a plain enum.
public enum RollupColumn: String, Sendable, Hashable, CaseIterable {
    case window, start, end, site, device, metric
    case count, min, max, sum, mean, first, last, stddev
    case firstTs = "first_ts", lastTs = "last_ts", m2
    case sketch

    /// The column names of a file with these percentiles, in order.
    public static func names(percentiles: [Percentile]) -> [String] {
        let fixed = allCases.filter { $0 != .sketch }.map(\.rawValue)
        return percentiles.isEmpty ? fixed : fixed + percentiles.map(\.name) + [RollupColumn.sketch.rawValue]
    }
}
