/// The open windows of one window size, for every series.
///
/// Each series has one slot for its newest window (where almost every reading lands);
/// older windows that are still open (late-but-allowed readings, or the window a series
/// just left) live in a small side table until they close. A window `[s, s+W)` closes
/// when the watermark reaches `s + W + lateness`; after that nothing is added to it.
///
/// Threading: owned by the aggregator thread, through its `WindowAggregator`; not `Sendable`.
struct WindowLane {
    struct Slot {
        var start: Int64 = .min
        var stats = RollupAccumulator()
    }
    struct PendingKey: Hashable, Comparable {
        var start: Int64
        var series: SeriesID
        static func < (a: PendingKey, b: PendingKey) -> Bool { (a.start, a.series) < (b.start, b.series) }
    }

    let size: WindowSize
    let latenessMs: Int64
    var slots: [Slot] = []
    var pending: [PendingKey: RollupAccumulator] = [:]
    /// The earliest watermark at which some open window closes (`.max` when none is open).
    var nextCloseAt: Int64 = .max
    /// Number of open windows (slots in use plus pending).
    var openCount = 0

    init(size: WindowSize, latenessMs: Int64) {
        self.size = size
        self.latenessMs = latenessMs
    }

    @inline(__always)
    func closesAt(_ start: Int64) -> Int64 { start + size.milliseconds + latenessMs }

    /// Adds a reading unless its window has closed; returns whether it was taken.
    mutating func add(series: SeriesID, timeMs: Int64, value: Double, watermark: Int64) -> Bool {
        let start = size.start(containing: timeMs)
        let close = closesAt(start)
        guard close > watermark else { return false }
        let i = Int(series)
        if i >= slots.count {
            slots.append(contentsOf: repeatElement(Slot(), count: Swift.max(i + 1, slots.count * 2) - slots.count))
        }
        let current = slots[i].start
        if current == start {
            slots[i].stats.add(value, at: timeMs)
            return true
        }
        if current == .min || start > current {
            if current != .min {
                pending[PendingKey(start: current, series: series)] = slots[i].stats
                openCount += 1
            }
            slots[i] = Slot(start: start)
            slots[i].stats.add(value, at: timeMs)
        } else {
            let key = PendingKey(start: start, series: series)
            if pending[key] == nil { openCount += 1 }
            pending[key, default: RollupAccumulator()].add(value, at: timeMs)
        }
        if current == .min { openCount += 1 }
        if close < nextCloseAt { nextCloseAt = close }
        return true
    }

    /// Removes and hands over every window that is closed at `watermark`, in order of
    /// start then series id.
    mutating func close(atWatermark watermark: Int64, _ emit: (Int64, SeriesID, RollupAccumulator) -> Void) {
        guard watermark >= nextCloseAt else { return }
        var next = Int64.max
        var closed: [(PendingKey, RollupAccumulator)] = []
        for (key, stats) in pending {
            let c = closesAt(key.start)
            if c <= watermark { closed.append((key, stats)) } else if c < next { next = c }
        }
        for (key, _) in closed { pending[key] = nil }
        closed.sort { $0.0 < $1.0 }
        openCount -= closed.count
        var closedSlots: [(PendingKey, RollupAccumulator)] = []
        for i in slots.indices where slots[i].start != .min {
            let c = closesAt(slots[i].start)
            if c <= watermark {
                closedSlots.append((PendingKey(start: slots[i].start, series: SeriesID(i)), slots[i].stats))
                slots[i] = Slot()
                openCount -= 1
            } else if c < next {
                next = c
            }
        }
        nextCloseAt = next
        // Pending windows are always older than the slot of the same series; merge by start.
        var a = 0, b = 0
        closedSlots.sort { $0.0 < $1.0 }
        while a < closed.count || b < closedSlots.count {
            if b == closedSlots.count || (a < closed.count && closed[a].0 < closedSlots[b].0) {
                emit(closed[a].0.start, closed[a].0.series, closed[a].1); a += 1
            } else {
                emit(closedSlots[b].0.start, closedSlots[b].0.series, closedSlots[b].1); b += 1
            }
        }
    }

    /// Every open window, without closing anything (for checkpoints).
    func openWindows() -> [(start: Int64, series: SeriesID, stats: RollupAccumulator)] {
        var all: [(Int64, SeriesID, RollupAccumulator)] = pending.map { ($0.key.start, $0.key.series, $0.value) }
        for i in slots.indices where slots[i].start != .min { all.append((slots[i].start, SeriesID(i), slots[i].stats)) }
        return all.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }

    /// Puts back an open window from a checkpoint.
    mutating func restore(series: SeriesID, start: Int64, stats: RollupAccumulator) {
        let i = Int(series)
        if i >= slots.count {
            slots.append(contentsOf: repeatElement(Slot(), count: Swift.max(i + 1, slots.count * 2) - slots.count))
        }
        if slots[i].start == .min {
            slots[i] = Slot(start: start, stats: stats)
        } else if start > slots[i].start {
            pending[PendingKey(start: slots[i].start, series: series)] = slots[i].stats
            slots[i] = Slot(start: start, stats: stats)
        } else {
            pending[PendingKey(start: start, series: series)] = stats
        }
        openCount += 1
        nextCloseAt = Swift.min(nextCloseAt, closesAt(start))
    }
}
