/// One closed window of one series: what a rollup file line holds.
///
/// `sketch` holds the window's readings for percentiles (empty when the aggregator keeps no
/// sketches); it lives here beside `stats`, not in it, so that an accumulator stays a
/// plain value.
///
/// Invariants: `startMs` is a window start: a multiple of `window.milliseconds` plus the
/// phase of the `windows.align` offset (`WindowAlignment.phase(of:)`; zero under UTC and for
/// every size the offset is a multiple of); `stats.count ≥ 1`; a non-empty `sketch` counts
/// `stats.count` readings.
/// Threading: a value type.
public struct Rollup: Sendable, Equatable {
    public var window: WindowSize
    public var startMs: Int64
    public var key: SeriesKey
    public var stats: RollupAccumulator
    public var sketch: QuantileSketch

    public init(
        window: WindowSize, startMs: Int64, key: SeriesKey, stats: RollupAccumulator, sketch: QuantileSketch = .init()
    ) {
        self.window = window
        self.startMs = startMs
        self.key = key
        self.stats = stats
        self.sketch = sketch
    }

    /// Exclusive end of the window.
    public var endMs: Int64 { startMs + window.milliseconds }
}
