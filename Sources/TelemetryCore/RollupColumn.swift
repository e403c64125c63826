/// One column of a rollup file, in file order: the window and its bounds, the series tags,
/// then the statistics.
///
/// `start` and `end` are RFC 3339 UTC text with milliseconds; `count` is an integer; every
/// other statistic is a floating-point number. Later versions may append columns; readers
/// ignore columns they do not know.
///
/// Threading: a plain enum.
public enum RollupColumn: String, Sendable, Hashable, CaseIterable {
    case window, start, end, site, device, metric
    case count, min, max, sum, mean, first, last, stddev
}
