/// Folds readings into tumbling event-time windows of several sizes at once and hands out
/// each window's rollup once the watermark has passed its end plus the allowed lateness.
///
/// - The watermark is the largest event time seen in the whole stream.
/// - Each window size closes on its own schedule; a reading goes into every window that is
///   still open. A reading that misses some sizes but not all is counted in
///   `lateByWindow`; one that no window can take any more is `too_late`: it is counted and
///   handed to the caller (`takeTooLate()`) for the dead-letter file.
/// - A message with a `seq` is judged once by `SeqTracker`; a duplicate's readings are
///   dropped whole (the ring guarantees a message's readings are contiguous, though a
///   drain may split them, which this type tolerates).
///
/// Invariants: a rollup is emitted at most once per (window size, start, series), and never
/// for a window that could still receive readings.
/// Threading: owned by one thread, the aggregator thread (the ring's consumer); every
/// method, including `checkpoint()` and `restore(_:)`, must be called from that thread only.
/// Not `Sendable`.
public final class WindowAggregator {
    public let windows: [WindowSize]
    public let allowedLatenessMs: Int64
    public private(set) var watermark: Int64 = .min
    public private(set) var seq = SeqTracker()
    /// Readings taken into at least one window.
    public private(set) var readingsAccepted = 0
    /// Readings dropped as part of a duplicate message.
    public private(set) var duplicateReadings = 0
    /// Readings no window could take.
    public private(set) var tooLateCount = 0
    /// Per window size (same order as `windows`): readings that missed that size only.
    public private(set) var lateByWindow: [Int]
    public private(set) var rollupsEmitted = 0

    private var lanes: [WindowLane]
    private let registry: SeriesRegistry
    private var names: [SeriesKey] = []
    private var closed: [Rollup] = []
    private var tooLate: [Reading] = []
    /// Whether the message in progress (since the last `isFirstInMessage`) is a duplicate
    /// whose readings are dropped; carried across drains, which may split a message.
    private var skippingMessage = false

    public init(windows: [WindowSize], allowedLatenessMs: Int64, registry: SeriesRegistry) {
        self.windows = windows
        self.allowedLatenessMs = allowedLatenessMs
        self.registry = registry
        precondition((1...64).contains(windows.count), "between 1 and 64 window sizes")
        self.lanes = windows.map { WindowLane(size: $0, latenessMs: allowedLatenessMs) }
        self.lateByWindow = Array(repeating: 0, count: windows.count)
    }

    /// Open windows across all sizes.
    public var openWindowCount: Int { lanes.reduce(0) { $0 + $1.openCount } }

    /// Adds a run of readings as drained from the ring.
    public func add(_ batch: UnsafeBufferPointer<Reading>) {
        for r in batch {
            if r.isFirstInMessage {
                skippingMessage = r.seq != Reading.noSeq && seq.observe(device: r.device, seq: r.seq) == .duplicate
            }
            if skippingMessage { duplicateReadings += 1; continue }
            add(r)
        }
    }

    private func add(_ r: Reading) {
        var missed: UInt64 = 0  // bit k: lane k's window was already closed
        for k in lanes.indices
        where !lanes[k].add(series: r.series, timeMs: r.eventTimeMs, value: r.value, watermark: watermark) {
            missed |= 1 << UInt64(k)
        }
        if missed.nonzeroBitCount == lanes.count {
            tooLateCount += 1
            tooLate.append(r)
            return
        }
        for k in lanes.indices where missed & (1 << UInt64(k)) != 0 { lateByWindow[k] += 1 }
        readingsAccepted += 1
        if r.eventTimeMs > watermark {
            watermark = r.eventTimeMs
            for k in lanes.indices where watermark >= lanes[k].nextCloseAt { closeLane(k, at: watermark) }
        }
    }

    private func closeLane(_ k: Int, at mark: Int64) {
        let size = lanes[k].size
        lanes[k].close(atWatermark: mark) { start, series, stats in
            closed.append(Rollup(window: size, startMs: start, key: name(series), stats: stats))
        }
    }

    private func name(_ series: SeriesID) -> SeriesKey {
        if Int(series) >= names.count { names.append(contentsOf: registry.keys(from: names.count)) }
        return names[Int(series)]
    }

    /// Closes every open window (end of a replay): all remaining rollups become available.
    public func closeAll() {
        for k in lanes.indices { closeLane(k, at: .max) }
    }

    /// The rollups closed since the last call, in closing order.
    public func takeClosed() -> [Rollup] {
        defer { closed.removeAll(keepingCapacity: true) }
        rollupsEmitted += closed.count
        return closed
    }

    /// The too-late readings since the last call.
    public func takeTooLate() -> [Reading] {
        defer { tooLate.removeAll(keepingCapacity: true) }
        return tooLate
    }

    /// Whether rollups are waiting in `takeClosed()`.
    public var hasClosed: Bool { !closed.isEmpty }

    /// The series key of an id (for describing too-late readings).
    public func key(of series: SeriesID) -> SeriesKey { name(series) }

    // MARK: checkpoints

    /// The aggregator's state, for writing to disk at shutdown.
    public func checkpoint() -> AggregatorCheckpoint {
        var open: [AggregatorCheckpoint.OpenWindow] = []
        for lane in lanes {
            for w in lane.openWindows() {
                let k = name(w.series)
                open.append(.init(window: lane.size.name, startMs: w.start, site: k.site, device: k.device,
                                  metric: k.metric, stats: w.stats))
            }
        }
        var devices: [AggregatorCheckpoint.DeviceSeq] = []
        for d in 0..<registry.deviceCount {
            if let s = seq.state(of: DeviceID(d)) {
                let (site, device) = registry.device(DeviceID(d))
                devices.append(.init(site: site, device: device, highest: s.highest, lowest: s.lowest, seen: s.seen))
            }
        }
        return AggregatorCheckpoint(
            windows: windows.map(\.name), allowedLatenessMs: allowedLatenessMs,
            watermarkMs: watermark == .min ? nil : watermark, open: open, devices: devices,
            counters: [
                "readings_accepted": readingsAccepted, "duplicate_readings": duplicateReadings,
                "too_late": tooLateCount, "duplicates": seq.duplicates, "gaps": seq.gaps,
                "device_restarts": seq.restarts,
            ].merging(zip(windows, lateByWindow).map { ("late_\($0.name)", $1) }) { a, _ in a })
    }

    /// Restores a checkpoint into a fresh aggregator. Open windows of sizes no longer
    /// configured are handed back as closed rollups (so nothing is lost when the window
    /// list changes); device seq state and counters carry on.
    public func restore(_ c: AggregatorCheckpoint) {
        if let w = c.watermarkMs { watermark = max(watermark, w) }
        for o in c.open {
            let key = SeriesKey(site: o.site, device: o.device, metric: o.metric)
            guard let ids = registry.register(key), let size = WindowSize(parsing: o.window) else { continue }
            if let k = lanes.firstIndex(where: { $0.size == size }) {
                lanes[k].restore(series: ids.series, start: o.startMs, stats: o.stats)
            } else {
                closed.append(Rollup(window: size, startMs: o.startMs, key: key, stats: o.stats))
            }
        }
        for d in c.devices {
            let id = registry.registerDevice(site: d.site, device: d.device)
            seq.restore(device: id, highest: d.highest, lowest: d.lowest, seen: d.seen)
        }
        let n = c.counters
        readingsAccepted += n["readings_accepted"] ?? 0
        duplicateReadings += n["duplicate_readings"] ?? 0
        tooLateCount += n["too_late"] ?? 0
        for (k, w) in windows.enumerated() { lateByWindow[k] += n["late_\(w.name)"] ?? 0 }
        seq.restoreCounters(
            duplicates: seq.duplicates + (n["duplicates"] ?? 0), gaps: seq.gaps + (n["gaps"] ?? 0),
            restarts: seq.restarts + (n["device_restarts"] ?? 0))
        for k in lanes.indices where watermark >= lanes[k].nextCloseAt { closeLane(k, at: watermark) }
    }
}
