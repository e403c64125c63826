package import TelemetryCore

/// One series present in the rollups of one window: how many rollups it has and the first and
/// last window start seen (as `series` prints them).
///
/// Invariants: `rollups >= 1`; `firstStart <= lastStart`.
///
/// Threading: a value type; safe to share.
package struct SeriesSummary: Sendable, Hashable {
    package let window: WindowSize
    package let series: SeriesKey
    package internal(set) var rollups: Int
    package internal(set) var firstStart: Int64
    package internal(set) var lastStart: Int64

    package init(window: WindowSize, series: SeriesKey, rollups: Int, firstStart: Int64, lastStart: Int64) {
        self.window = window
        self.series = series
        self.rollups = rollups
        self.firstStart = firstStart
        self.lastStart = lastStart
    }

    /// Output order: window size, then site, device, metric.
    package static func outputOrder(_ a: SeriesSummary, _ b: SeriesSummary) -> Bool {
        a.window != b.window ? a.window < b.window : a.series < b.series
    }
}
