/// The open windows of one window size, for every series, closed device by device.
///
/// Each series has one slot for its newest window (where almost every reading lands);
/// older windows of a series that are still open (a late-but-allowed reading, or the window
/// the series just left) are kept with the other older windows of the same device until
/// they close. A window `[s, s+W)` closes when its device's clock passes `s + W + lateness`
/// (its watermark, or its extrapolated clock when it has gone quiet); after that a reading
/// for it is late unless it is still within the device's own lateness, when it opens the
/// window again (written as a further row).
///
/// Percentiles: when `sketching`, each open window also has a quantile sketch, kept beside
/// its statistics rather than in them (a `RollupAccumulator` stays a plain 80-byte value):
/// slot `i`'s is slot `i` of `sketches`, a ``SketchArena`` (plain integers into one table of
/// bins, reused window after window: no retain, release or allocation per reading); an older
/// window carries its own ``QuantileSketch``. A slot's sketch becomes a `QuantileSketch` when
/// its window leaves the slot (closes, or becomes an older one), so an empty slot holds no bins.
///
/// Invariants: `nextClose[d]` is the earliest close time among device `d`'s open windows
/// (`.max` when it has none); `openCount` is the number of open windows; when `sketching`,
/// `sketches.count == slots.count` and an open window's sketch counts its readings
/// (otherwise every sketch is empty and `sketches` is).
///
/// Threading: owned by the aggregator thread, through its `WindowAggregator`; not `Sendable`.
struct WindowLane {
    /// A series' newest window (88 bytes). Open when `stats.count > 0`, with start `start`;
    /// otherwise empty, and `start` is the start of the newest window of the series written so
    /// far (`.min`: none), which a reading for that window opens again (`reopened`).
    struct Slot {
        var start: Int64 = .min
        var stats = RollupAccumulator()

        @inline(__always)
        var isOpen: Bool { stats.count > 0 }
    }

    /// An open window that is not its series' newest.
    struct Older {
        var start: Int64
        var series: SeriesID
        var stats: RollupAccumulator
        var sketch = QuantileSketch()
    }

    /// A window handed out by `close`.
    typealias Closed = (start: Int64, series: SeriesID, stats: RollupAccumulator, sketch: QuantileSketch)

    let size: WindowSize
    /// Where this size's windows start past a multiple of it (`WindowAlignment.phase(of:)`).
    let phaseMs: Int64
    let latenessMs: Int64
    /// Whether windows keep a quantile sketch.
    let sketching: Bool
    private(set) var slots: [Slot] = []
    /// Slot `i`'s sketch (when `sketching`).
    private(set) var sketches = SketchArena()
    /// Per device, its series' open windows other than their newest.
    private(set) var older: [[Older]] = []
    /// The newest written window's start of series whose open slot window is older than it
    /// (a late reading after an idle close opened an earlier window): what an empty slot's
    /// `start` says, kept while the slot is open, until the slot reaches it. Almost always
    /// empty; for every other open slot that start is behind the open one and can no longer
    /// be opened again from the slot.
    private var writtenAhead: [SeriesID: Int64] = [:]
    /// Per device, the earliest close time of its open windows.
    private(set) var nextClose: [Int64] = []
    /// Number of open windows (slots in use plus older ones).
    private(set) var openCount = 0
    /// Windows opened again after they were written (the device had gone quiet).
    private(set) var reopened = 0
    /// Scratch for `close`, kept to avoid an allocation per close.
    private var closing: [Closed] = []

    /// `reservedSeries`: how many series slots to reserve address space for up front. The
    /// reservation is only address space (its pages are touched as series appear), so a
    /// fleet's slots are never copied to a larger table nor left half unused, as doubling would.
    init(size: WindowSize, latenessMs: Int64, phaseMs: Int64 = 0, reservedSeries: Int = 0, sketching: Bool = false) {
        self.size = size
        self.phaseMs = phaseMs
        self.latenessMs = latenessMs
        self.sketching = sketching
        slots.reserveCapacity(reservedSeries)
        if sketching { sketches.reserveCapacity(reservedSeries) }
    }

    @inline(__always)
    func closesAt(_ start: Int64) -> Int64 { start + size.milliseconds + latenessMs }

    /// The earliest close time of `device`'s open windows (`.max` when none).
    @inline(__always)
    func nextClose(of device: DeviceID) -> Int64 {
        Int(device) < nextClose.count ? nextClose[Int(device)] : .max
    }

    /// Adds a reading unless its window closed at the device's `watermark`; returns whether
    /// it was taken. `key` is the value's ``QuantileSketch/key(for:)`` (ignored unless
    /// `sketching`).
    mutating func add(
        series: SeriesID, device: DeviceID, timeMs: Int64, value: Double, key: Int32 = 0, watermark: Int64
    ) -> Bool {
        let start = size.start(containing: timeMs, phase: phaseMs)
        let close = closesAt(start)
        guard close > watermark else { return false }
        let i = Int(series), d = Int(device)
        if i >= slots.count || d >= nextClose.count { grow(series: i, device: d) }
        let current = slots[i].start
        let isOpen = slots[i].isOpen
        if current == start, isOpen {
            slots[i].stats.add(value, at: timeMs)
            if sketching { sketches.add(i, key: key) }
            return true
        }
        if !isOpen || start > current {
            if isOpen {
                let sketch = takeSketch(i)
                older[d].append(Older(start: current, series: series, stats: slots[i].stats, sketch: sketch))
                if !writtenAhead.isEmpty, let written = writtenAhead[series], start >= written {
                    if start == written { reopened += 1 }
                    writtenAhead[series] = nil
                }
            } else if start == current {
                reopened += 1
            } else if current != .min, current > start {
                writtenAhead[series] = current
            }
            openCount += 1
            slots[i].start = start
            slots[i].stats = RollupAccumulator()
            slots[i].stats.add(value, at: timeMs)
            if sketching { sketches.add(i, key: key) }
        } else if let j = older[d].firstIndex(where: { $0.start == start && $0.series == series }) {
            older[d][j].stats.add(value, at: timeMs)
            if sketching { older[d][j].sketch.add(key: key) }
            return true
        } else {
            var stats = RollupAccumulator()
            stats.add(value, at: timeMs)
            var sketch = QuantileSketch()
            if sketching { sketch.add(key: key) }
            older[d].append(Older(start: start, series: series, stats: stats, sketch: sketch))
            openCount += 1
        }
        if close < nextClose[d] { nextClose[d] = close }
        return true
    }

    /// Slot `i`'s sketch, leaving the slot an empty one (no bins).
    @inline(__always)
    private mutating func takeSketch(_ i: Int) -> QuantileSketch {
        guard sketching else { return QuantileSketch() }
        return sketches.take(i)
    }

    /// Removes and hands over every window of `device` (whose series are `series`) that is
    /// closed when its clock reads `mark`, in order of start then series id.
    mutating func close(
        device: DeviceID, series: ArraySlice<SeriesID>, at mark: Int64, _ emit: (Closed) -> Void
    ) {
        let d = Int(device)
        guard d < nextClose.count, mark >= nextClose[d] else { return }
        var next = Int64.max
        closing.removeAll(keepingCapacity: true)
        for s in series {
            let i = Int(s)
            guard i < slots.count, slots[i].isOpen else { continue }
            let c = closesAt(slots[i].start)
            if c <= mark {
                let sketch = takeSketch(i)
                closing.append((slots[i].start, s, slots[i].stats, sketch))
                slots[i].stats = RollupAccumulator()  // empty; `start` says which window was written
                if !writtenAhead.isEmpty { writtenAhead[s] = nil }
                openCount -= 1
            } else if c < next {
                next = c
            }
        }
        var kept = 0
        for j in older[d].indices {
            let w = older[d][j]
            let c = closesAt(w.start)
            if c <= mark {
                closing.append((w.start, w.series, w.stats, w.sketch))
                openCount -= 1
            } else {
                if c < next { next = c }
                older[d][kept] = w
                kept += 1
            }
        }
        older[d].removeSubrange(kept...)
        nextClose[d] = next
        if closing.count > 1 { closing.sort { ($0.start, $0.series) < ($1.start, $1.series) } }
        for w in closing { emit(w) }
    }

    /// Every open window of `device`, without closing anything (for checkpoints), in order
    /// of start then series id.
    func openWindows(device: DeviceID, series: ArraySlice<SeriesID>) -> [Closed] {
        let d = Int(device)
        guard d < nextClose.count, nextClose[d] != .max else { return [] }
        var all: [Closed] = older[d].map { ($0.start, $0.series, $0.stats, $0.sketch) }
        for s in series where Int(s) < slots.count && slots[Int(s)].isOpen {
            let i = Int(s)
            all.append((slots[i].start, s, slots[i].stats, sketching ? sketches.sketch(i) : QuantileSketch()))
        }
        return all.sorted { ($0.start, $0.series) < ($1.start, $1.series) }
    }

    /// Makes room for series index `i` and device index `d`. The tables grow by a quarter
    /// (not the standard library's doubling): a slot is 88 bytes, and a fleet's last growth
    /// would otherwise leave up to half of them unused. Within the reserved capacity the
    /// series slots grow to exactly what is needed.
    @inline(never)
    private mutating func grow(series i: Int, device d: Int) {
        if i >= slots.count {
            let n = i < slots.capacity ? i + 1 : Self.grownCount(slots.count, toHold: i)
            slots.reserveCapacity(n)
            slots.append(contentsOf: repeatElement(Slot(), count: n - slots.count))
            if sketching {
                sketches.reserveCapacity(slots.capacity)
                sketches.appendEmpty(slots.count - sketches.count)
            }
        }
        if d >= nextClose.count {
            let n = Self.grownCount(nextClose.count, toHold: d)
            nextClose.reserveCapacity(n)
            nextClose.append(contentsOf: repeatElement(.max, count: n - nextClose.count))
            older.reserveCapacity(n)
            older.append(contentsOf: repeatElement([], count: n - older.count))
        }
    }

    /// The length a table of `count` entries grows to so that index `i` fits: by a quarter,
    /// at least 64 (amortized constant time per entry, at most a quarter unused).
    static func grownCount(_ count: Int, toHold i: Int) -> Int {
        Swift.max(i + 1, count + count / 4, 64)
    }

    /// Puts back an open window from a checkpoint. (One without readings, which only a
    /// damaged checkpoint holds, is kept among the older windows: a slot without readings is
    /// empty.)
    mutating func restore(
        series: SeriesID, device: DeviceID, start: Int64, stats: RollupAccumulator, sketch restored: QuantileSketch = .init()
    ) {
        let i = Int(series), d = Int(device)
        if i >= slots.count || d >= nextClose.count { grow(series: i, device: d) }
        let current = slots[i].start
        let sketch = sketching ? restored : QuantileSketch()
        if stats.count == 0 {
            older[d].append(Older(start: start, series: series, stats: stats, sketch: sketch))
        } else if !slots[i].isOpen {
            if current != .min, current > start { writtenAhead[series] = current }
            slots[i].start = start
            slots[i].stats = stats
            if sketching { sketches.set(i, to: sketch) }
        } else if start > current {
            let taken = takeSketch(i)
            older[d].append(Older(start: current, series: series, stats: slots[i].stats, sketch: taken))
            if !writtenAhead.isEmpty, let written = writtenAhead[series], start >= written { writtenAhead[series] = nil }
            slots[i].start = start
            slots[i].stats = stats
            if sketching { sketches.set(i, to: sketch) }
        } else {
            older[d].append(Older(start: start, series: series, stats: stats, sketch: sketch))
        }
        openCount += 1
        nextClose[d] = Swift.min(nextClose[d], closesAt(start))
    }
}
