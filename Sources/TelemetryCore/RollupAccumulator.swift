/// The running statistics of one series in one window: count, min, max, sum, mean, first,
/// last (by event time) and population standard deviation.
///
/// Mean and variance use Welford's update, which stays accurate where the naive
/// sum-of-squares formula cancels catastrophically. `first` is the value with the earliest
/// event time (on a tie, the one added first); `last` the one with the latest event time
/// (on a tie, the one added last).
///
/// Invariants: `count ≥ 1` once anything was added; `min ≤ mean ≤ max`.
/// Threading: a value type, owned by the aggregator thread.
public struct RollupAccumulator: Sendable, Equatable {
    public private(set) var count: Int64 = 0
    public private(set) var min: Double = .infinity
    public private(set) var max: Double = -.infinity
    public private(set) var sum: Double = 0
    public private(set) var mean: Double = 0
    /// Sum of squared deviations from the mean (Welford's M2).
    public private(set) var m2: Double = 0
    public private(set) var first: Double = 0
    public private(set) var firstTimeMs: Int64 = .max
    public private(set) var last: Double = 0
    public private(set) var lastTimeMs: Int64 = .min

    public init() {}

    /// Running statistics exactly as saved (by ``AggregatorCheckpoint``).
    package init(
        count: Int64, min: Double, max: Double, sum: Double, mean: Double, m2: Double,
        first: Double, firstTimeMs: Int64, last: Double, lastTimeMs: Int64
    ) {
        self.count = count
        self.min = min
        self.max = max
        self.sum = sum
        self.mean = mean
        self.m2 = m2
        self.first = first
        self.firstTimeMs = firstTimeMs
        self.last = last
        self.lastTimeMs = lastTimeMs
    }

    /// Adds one reading.
    public mutating func add(_ value: Double, at timeMs: Int64) {
        count += 1
        if value < min { min = value }
        if value > max { max = value }
        sum += value
        let delta = value - mean
        mean += delta / Double(count)
        m2 += delta * (value - mean)
        if timeMs < firstTimeMs { firstTimeMs = timeMs; first = value }
        if timeMs >= lastTimeMs { lastTimeMs = timeMs; last = value }
    }

    /// Population standard deviation (0 for a single reading).
    public var stddev: Double { count > 0 ? (Swift.max(m2, 0) / Double(count)).squareRoot() : 0 }
}
