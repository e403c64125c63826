/// Combines rollup rows exactly: rows of finer windows into the rows of a coarser one
/// (`10s` → `1m`, `1h` → `1d`), or rows of the same window from several daemons.
///
/// The rules, for rows of one series:
/// - `count` and `sum` add; `min` and `max` are the least and greatest.
/// - `mean` and `m2` by Chan et al.'s parallel update (pairwise, in the order added):
///   `δ = mean_b − mean_a`, `mean = mean_a + δ·n_b/n`, `m2 = m2_a + m2_b + δ²·n_a·n_b/n`;
///   `stddev = √(m2/n)` (population, as the daemon writes it). A row without `m2` (written
///   before it) contributes `stddev²·count`.
/// - `first` is the value of the row with the earliest `first_ts` (on a tie, the row added
///   first), `last` that of the latest `last_ts` (on a tie, the row added last): the same
///   rule as the daemon's per reading. A row without them is ordered by its window
///   (`start`, and `end − 1` for `last`); the merged `first_ts`/`last_ts` are then nil.
/// - sketches merge (bins add) and the percentiles are recomputed from the merged sketch,
///   clamped to the merged min and max; if any row lacks a sketch, the result has none and
///   no percentiles.
///
/// So a merged row equals the row computed from the readings directly: exactly for count,
/// min, max, first, last, first_ts, last_ts and the sketch (hence the percentiles); within
/// floating-point rounding for sum, mean, m2 and stddev (the order of additions differs).
///
/// ``add(_:)`` takes rows in any order; ``rows`` gives the merged rows in output order.
///
/// Invariants: every group's rows are of one series and lie in one target window; each
/// row's window divides the target window.
/// Threading: a value type.
public struct RollupMerge: Sendable {
    /// The target window.
    public let window: WindowSize
    /// Where target windows begin relative to the epoch (0: aligned to UTC midnight).
    public let offsetMs: Int64
    /// The percentile columns of merged rows; nil: those of the first row of each group.
    public let percentiles: [Percentile]?
    private var groups: [GroupKey: Int] = [:]
    private var partials: [Partial] = []

    /// Why a row cannot be merged into the target window.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The row's window is not a divisor of the target window.
        case windowDoesNotDivide(row: WindowSize, target: WindowSize)

        public var description: String {
            switch self {
            case .windowDoesNotDivide(let row, let target):
                "a \(row.name) rollup cannot be merged into \(target.name) windows: \(target.name) is not a multiple of \(row.name)"
            }
        }
    }

    private struct GroupKey: Hashable {
        var site: String, device: String, metric: String, start: Int64
    }

    /// One group's state so far.
    fileprivate struct Partial: Sendable {
        var row: RollupRow
        var firstOrder: Int64
        var lastOrder: Int64
        var m2: Double
        var missingTimes: Bool
        var sketch: QuantileSketch?
        var percentiles: [Percentile]
    }

    public init(window: WindowSize, offsetMs: Int64 = 0, percentiles: [Percentile]? = nil) {
        self.window = window
        self.offsetMs = offsetMs
        self.percentiles = percentiles
    }

    /// The start of the target window that holds `ms`.
    public func targetStart(containing ms: Int64) -> Int64 {
        window.start(containing: ms &- offsetMs) &+ offsetMs
    }

    /// Folds one row into its series' target window.
    public mutating func add(_ row: RollupRow) throws(Failure) {
        guard window.milliseconds % row.window.milliseconds == 0, offsetMs % row.window.milliseconds == 0 else {
            throw .windowDoesNotDivide(row: row.window, target: window)
        }
        let start = targetStart(containing: row.start)
        let key = GroupKey(site: row.site, device: row.device, metric: row.metric, start: start)
        if let i = groups[key] {
            partials[i].fold(row)
        } else {
            groups[key] = partials.count
            partials.append(Partial(row, window: window, start: start, percentiles: percentiles))
        }
    }

    /// The merged rows, in output order (``RollupRow/outputOrder(_:_:)``).
    public var rows: [RollupRow] {
        partials.map(\.result).sorted(by: RollupRow.outputOrder)
    }

    /// The merge of `rows` (all of one series) as one row of window `window` starting at
    /// `start`; nil when `rows` is empty.
    public static func merged(
        _ rows: some Sequence<RollupRow>, window: WindowSize, start: Int64, percentiles: [Percentile]? = nil
    ) -> RollupRow? {
        var partial: Partial?
        for row in rows {
            if partial == nil {
                partial = Partial(row, window: window, start: start, percentiles: percentiles)
            } else {
                partial!.fold(row)
            }
        }
        return partial?.result
    }
}

extension RollupMerge.Partial {
    init(_ row: RollupRow, window: WindowSize, start: Int64, percentiles: [Percentile]?) {
        var r = row
        r.window = window
        r.start = start
        r.end = start + window.milliseconds
        self.row = r
        self.firstOrder = row.firstTs ?? row.start
        self.lastOrder = row.lastTs ?? (row.end - 1)
        self.m2 = row.m2 ?? row.stddev * row.stddev * Double(row.count)
        self.missingTimes = row.firstTs == nil || row.lastTs == nil
        self.sketch = row.sketch
        self.percentiles = percentiles ?? row.percentiles.map(\.percentile)
    }

    mutating func fold(_ b: RollupRow) {
        let na = Double(row.count), nb = Double(b.count)
        let n = na + nb
        let m2b = b.m2 ?? b.stddev * b.stddev * nb
        if n > 0 {
            let delta = b.mean - row.mean
            row.mean += delta * (nb / n)
            m2 += m2b + delta * delta * (na * nb / n)
        }
        row.count += b.count
        row.sum += b.sum
        row.min = Swift.min(row.min, b.min)
        row.max = Swift.max(row.max, b.max)
        let bFirst = b.firstTs ?? b.start, bLast = b.lastTs ?? (b.end - 1)
        if bFirst < firstOrder { firstOrder = bFirst; row.first = b.first }
        if bLast >= lastOrder { lastOrder = bLast; row.last = b.last }
        if b.firstTs == nil || b.lastTs == nil { missingTimes = true }
        if let s = b.sketch, sketch != nil { sketch!.merge(s) } else { sketch = nil }
    }

    var result: RollupRow {
        var r = row
        r.m2 = m2
        r.stddev = r.count > 0 ? (Swift.max(m2, 0) / Double(r.count)).squareRoot() : 0
        r.firstTs = missingTimes ? nil : firstOrder
        r.lastTs = missingTimes ? nil : lastOrder
        r.sketch = sketch
        if let sketch {
            r.percentiles = percentiles.compactMap { p in
                p.value(of: sketch, min: r.min, max: r.max).map { RollupRow.PercentileValue(p, $0) }
            }
        } else {
            r.percentiles = []
        }
        return r
    }
}

extension RollupRow {
    /// The exact merge of `rows` (of one series) as one row of `window` starting at `start`
    /// (see ``RollupMerge``); nil when `rows` is empty.
    public static func merged(
        _ rows: some Sequence<RollupRow>, window: WindowSize, start: Int64, percentiles: [Percentile]? = nil
    ) -> RollupRow? {
        RollupMerge.merged(rows, window: window, start: start, percentiles: percentiles)
    }
}
