/// The running statistics of one series in one window: count, min, max, sum, mean, first,
/// last (by event time) and population standard deviation.
///
/// Mean and variance use Welford's update, which stays accurate where the naive
/// sum-of-squares formula cancels catastrophically. `first` is the value with the earliest
/// event time (on a tie, the one added first); `last` the one with the latest event time
/// (on a tie, the one added last).
///
/// Overflow: for finite values the mean and the standard deviation are finite, even for
/// ±1.7e308, whose difference (or whose squared deviations) a double cannot hold.
/// - Below 2^256 in magnitude nothing can overflow and the update is the plain Welford one,
///   bit for bit.
/// - Once a window holds a value of 2^256 or more (``isScaled``, decided by `min` and `max`,
///   so a checkpoint needs nothing more), the update runs on values scaled by 2^-560 and M2 is
///   kept scaled by 2^-1120 (``storedM2``); powers of two scale exactly, so the results match
///   the plain ones wherever those did not overflow, up to values below 2^-462 that scaling
///   makes subnormal.
/// - `sum` is the running sum; when that overflowed on the way (its terms are finite, their
///   true sum may not be) it is `mean × count`, which is infinite only when the true sum is.
///
/// Invariants: `count ≥ 1` once anything was added; `min ≤ mean ≤ max`.
/// Threading: a value type, owned by the aggregator thread.
public struct RollupAccumulator: Sendable, Equatable {
    public private(set) var count: Int64 = 0
    public private(set) var min: Double = .infinity
    public private(set) var max: Double = -.infinity
    /// The sum as added up, reading by reading; infinite (or NaN) once an addition overflowed.
    /// What a checkpoint saves; ``sum`` is what a rollup reports.
    private(set) var runningSum: Double = 0
    public private(set) var mean: Double = 0
    /// Sum of squared deviations from the mean (Welford's M2), scaled by 2^-1120 when
    /// ``isScaled``. What a checkpoint saves; ``m2`` is the unscaled value.
    private(set) var storedM2: Double = 0
    public private(set) var first: Double = 0
    public private(set) var firstTimeMs: Int64 = .max
    public private(set) var last: Double = 0
    public private(set) var lastTimeMs: Int64 = .min

    /// Magnitude from which the update runs scaled: below it, `n·(2·2^256)²` cannot reach
    /// 2^1024 for any `n < 2^63`.
    static let scaledFrom: Double = 0x1p256
    /// The factor values are scaled by (M2 by its square).
    static let scale: Double = 0x1p-560

    public init() {}

    /// Running statistics exactly as saved (by ``AggregatorCheckpoint``): `sum` is the running
    /// sum and `m2` the stored (possibly scaled) M2.
    package init(
        count: Int64, min: Double, max: Double, sum: Double, mean: Double, m2: Double,
        first: Double, firstTimeMs: Int64, last: Double, lastTimeMs: Int64
    ) {
        self.count = count
        self.min = min
        self.max = max
        self.runningSum = sum
        self.mean = mean
        self.storedM2 = m2
        self.first = first
        self.firstTimeMs = firstTimeMs
        self.last = last
        self.lastTimeMs = lastTimeMs
    }

    /// Whether the window holds a value of magnitude 2^256 or more, so the update runs scaled.
    public var isScaled: Bool { Swift.max(-min, max) >= Self.scaledFrom }

    /// Adds one (finite) reading.
    public mutating func add(_ value: Double, at timeMs: Int64) {
        let wasScaled = isScaled
        count += 1
        if value < min { min = value }
        if value > max { max = value }
        runningSum += value
        if isScaled {
            if !wasScaled { storedM2 = storedM2 * Self.scale * Self.scale }
            let s = Self.scale
            let scaledValue = value * s
            let delta = scaledValue - mean * s
            let scaledMean = mean * s + delta / Double(count)
            mean = scaledMean / s
            storedM2 += delta * (scaledValue - scaledMean)
        } else {
            let delta = value - mean
            mean += delta / Double(count)
            storedM2 += delta * (value - mean)
        }
        if timeMs < firstTimeMs { firstTimeMs = timeMs; first = value }
        if timeMs >= lastTimeMs { lastTimeMs = timeMs; last = value }
    }

    /// The sum of the values: the running sum, or `mean × count` when that overflowed.
    public var sum: Double { runningSum.isFinite ? runningSum : mean * Double(count) }

    /// Sum of squared deviations from the mean; infinite when beyond a double (the standard
    /// deviation is not).
    public var m2: Double { isScaled ? storedM2 / Self.scale / Self.scale : storedM2 }

    /// Population standard deviation (0 for a single reading).
    public var stddev: Double {
        guard count > 0 else { return 0 }
        let root = (Swift.max(storedM2, 0) / Double(count)).squareRoot()
        return isScaled ? root / Self.scale : root
    }
}
