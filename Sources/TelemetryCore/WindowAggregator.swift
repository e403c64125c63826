/// Folds readings into tumbling event-time windows of several sizes at once and hands out
/// each window's rollup once its device's clock has passed its end plus the allowed
/// lateness.
///
/// Event time is judged per device (site, device), never across devices:
/// - Each device has its own watermark, the largest event time of its accepted readings. A
///   window of one of its series closes when that watermark reaches the window's end plus
///   the lateness. A device with a fast or slow clock, or one uploading an old backlog, moves
///   only its own windows.
/// - A reading is late for a window size when its window's end plus the lateness is at or
///   behind its own device's watermark. Late for some sizes: counted in `lateByWindow`; for
///   every size: `too_late`, counted and handed to the caller (`takeTooLate()`) for the
///   dead-letter file.
/// - Idle close (`idleCloseMs`): a device that has sent nothing for that long on the ingest
///   clock (the arrival times, advanced also by `advanceIngestClock(to:)`) gets every open
///   window written whose end plus lateness its extrapolated clock (watermark plus time quiet)
///   has passed. Its watermark does not move, so readings it later sends for such a window
///   within its own lateness (a store-and-forward backlog) are still taken: the window opens
///   again and is written as a further row with the same key (`reopenedWindows` counts them).
///   Rows with the same key partition that window's readings.
/// - A message with a `seq` is judged once by `SeqTracker`; a duplicate's readings are
///   dropped whole (the ring guarantees a message's readings are contiguous, though a
///   drain may split them, which this type tolerates).
///
/// Percentiles: with `sketches` on (the default), every window also keeps a
/// ``QuantileSketch`` of its readings (handed out in ``Rollup/sketch`` and saved in
/// checkpoints); a reading's sketch key is computed once for all window sizes.
///
/// Every decision depends only on the order of readings and their times (and on
/// `advanceIngestClock(to:)` calls), not on how they are batched: a replay is deterministic.
///
/// Invariants: a rollup is never written for a window that its device's own clock has not
/// passed (end + lateness), except at `closeAll()`; a reading is counted in at most one row
/// per window size.
/// Threading: owned by one thread, the aggregator thread (the ring's consumer); every
/// method, including `checkpoint()` and `restore(_:)`, must be called from that thread only.
/// Not `Sendable`.
public final class WindowAggregator {
    public let windows: [WindowSize]
    /// The UTC offset whose midnight the windows start at (`windows.align`).
    public let alignment: WindowAlignment
    public let allowedLatenessMs: Int64
    /// How long a device must be quiet before its passed windows are written; nil: never.
    public let idleCloseMs: Int64?
    /// Whether windows keep quantile sketches (for percentiles).
    public let sketches: Bool
    /// The ingest clock: the latest arrival time (or `advanceIngestClock` time) seen.
    public private(set) var ingestClockMs: Int64 = .min
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
    /// The largest event time accepted from any device (for display only: no window goes by it).
    public private(set) var latestEventMs: Int64 = .min
    /// Called, between devices, whenever `closedChunk` or more rollups wait in `takeClosed()`
    /// while quiet devices are being closed (inside `add` or `advanceIngestClock`): a fleet
    /// that went quiet together closes a window of every series in one step, which would
    /// otherwise all be held at once. The callback may call `takeClosed()` and
    /// `takeTooLate()`, nothing else of this aggregator. Order and content of the rollups do
    /// not depend on it.
    public var onClosedChunk: (() -> Void)?
    /// How many waiting rollups make `onClosedChunk` run.
    public var closedChunk = Int.max

    private var lanes: [WindowLane]
    private let registry: SeriesRegistry
    /// How many of the registry's series `seriesOfDevice` holds. Names are not copied: the
    /// registry lends them when rollups are made (`SeriesRegistry.withKeys`).
    private var mirroredSeries = 0
    /// Per device, its series ids (mirrored from the registry as series appear).
    private var seriesOfDevice: [[SeriesID]] = []
    private var devices: [DeviceState] = []
    /// Per device and window size (`d * windows.count + k`): readings that missed that size only.
    private var deviceLateByWindow: [Int] = []
    private var closed: [Rollup] = []
    private var tooLate: [Reading] = []
    /// Whether the message in progress (since the last `isFirstInMessage`) is a duplicate
    /// whose readings are dropped; carried across drains, which may split a message.
    private var skippingMessage = false
    /// Which device to look at when, for idle close.
    private var quiet = QuietCheckQueue()
    /// No device counts as quiet for longer than since this ingest time (when listening began).
    private var listeningSinceMs: Int64 = .min
    /// `reopenedWindows` carried over from a checkpoint.
    private var restoredReopened = 0

    public init(
        windows: [WindowSize], allowedLatenessMs: Int64, idleCloseMs: Int64? = nil,
        alignment: WindowAlignment = .utc, sketches: Bool = true, registry: SeriesRegistry
    ) {
        self.windows = windows
        self.alignment = alignment
        self.sketches = sketches
        self.allowedLatenessMs = allowedLatenessMs
        self.idleCloseMs = idleCloseMs.flatMap { $0 > 0 ? $0 : nil }
        self.registry = registry
        precondition((1...64).contains(windows.count), "between 1 and 64 window sizes")
        let reserved = Swift.min(registry.limit, Self.reservedSeriesLimit)
        self.lanes = windows.map {
            WindowLane(size: $0, latenessMs: allowedLatenessMs, phaseMs: alignment.phase(of: $0), reservedSeries: reserved,
                       sketching: sketches)
        }
        self.lateByWindow = Array(repeating: 0, count: windows.count)
    }

    /// The most series whose window slots are reserved (as address space, see `WindowLane`)
    /// when the aggregator is made; past it the slots grow.
    static let reservedSeriesLimit = 1 << 20

    /// Open windows across all sizes.
    public var openWindowCount: Int { lanes.reduce(0) { $0 + $1.openCount } }

    /// Windows opened again after being written because their device had gone quiet.
    public var reopenedWindows: Int { lanes.reduce(restoredReopened) { $0 + $1.reopened } }

    /// Adds a run of readings as drained from the ring.
    public func add(_ batch: UnsafeBufferPointer<Reading>) {
        for r in batch {
            if r.isFirstInMessage {
                if r.arrivalMs > ingestClockMs { advanceIngestClock(to: r.arrivalMs) }
                let d = deviceIndex(r.device)
                if r.seq != Reading.noSeq {
                    let (gaps, restarts) = (seq.gaps, seq.restarts)
                    skippingMessage = seq.observe(device: r.device, seq: r.seq) == .duplicate
                    devices[d].gaps += seq.gaps - gaps
                    devices[d].restarts += seq.restarts - restarts
                } else {
                    skippingMessage = false
                }
                devices[d].observeMessage(arrivalMs: r.arrivalMs, eventMs: r.eventTimeMs)
                if skippingMessage { devices[d].duplicates += 1 }
                if let idle = idleCloseMs, !quiet.contains(r.device) {
                    quiet.schedule(r.device, at: devices[d].lastArrivalMs + idle)
                }
            }
            if skippingMessage { duplicateReadings += 1; continue }
            add(r)
        }
    }

    private func add(_ r: Reading) {
        if Int(r.series) >= mirroredSeries { mirrorRegistry() }
        let d = deviceIndex(r.device)
        let watermark = devices[d].watermark
        var missed: UInt64 = 0  // bit k: lane k's window was already closed
        let key = sketches ? QuantileSketch.key(for: r.value) : 0
        for k in lanes.indices
        where !lanes[k].add(
            series: r.series, device: r.device, timeMs: r.eventTimeMs, value: r.value, key: key, watermark: watermark) {
            missed |= 1 << UInt64(k)
        }
        if missed.nonzeroBitCount == lanes.count {
            tooLateCount += 1
            devices[d].tooLate += 1
            tooLate.append(r)
            return
        }
        if missed != 0 {
            for k in lanes.indices where missed & (1 << UInt64(k)) != 0 {
                lateByWindow[k] += 1
                deviceLateByWindow[d * lanes.count + k] += 1
            }
        }
        readingsAccepted += 1
        devices[d].readings += 1
        if r.eventTimeMs > watermark {
            devices[d].watermark = r.eventTimeMs
            if r.eventTimeMs > latestEventMs { latestEventMs = r.eventTimeMs }
            closeDevice(r.device, at: r.eventTimeMs)
        }
    }

    /// Moves the ingest clock forward (live: the wall clock, between messages) and writes
    /// the passed windows of devices that have been quiet for `idleCloseMs`.
    public func advanceIngestClock(to nowMs: Int64) {
        guard nowMs > ingestClockMs else { return }
        ingestClockMs = nowMs
        if nowMs >= quiet.nextDue { closeQuietDevices() }
    }

    /// Tells the aggregator when it began to listen (live: once the log is recovered): a
    /// device is not quiet for longer than that, so the messages a broker queued while the
    /// daemon was away arrive before their windows are written.
    public func listening(since nowMs: Int64) {
        listeningSinceMs = Swift.max(listeningSinceMs, nowMs)
    }

    /// Looks at the devices due in the quiet queue: one quiet for `idleCloseMs` gets the
    /// windows its extrapolated clock has passed written, and is looked at again when that
    /// clock reaches its next window's close; one that spoke since is looked at again
    /// `idleCloseMs` after its last message.
    private func closeQuietDevices() {
        guard let idle = idleCloseMs else { return }
        let now = ingestClockMs
        while let device = quiet.popDue(at: now) {
            let d = deviceIndex(device)
            // A device restored without an arrival time is quiet from now on.
            if devices[d].lastArrivalMs == .min { devices[d].lastArrivalMs = now }
            let since = Swift.max(devices[d].lastArrivalMs, listeningSinceMs)
            if now - since < idle {
                quiet.schedule(device, at: since + idle)
                continue
            }
            guard devices[d].watermark != .min else { continue }
            let mark = devices[d].extrapolatedClock(at: now)
            closeDevice(device, at: mark)
            let next = lanes.reduce(Int64.max) { Swift.min($0, $1.nextClose(of: device)) }
            if next != .max, mark != .max { quiet.schedule(device, at: now + (next - mark)) }
            if closed.count >= closedChunk, let handOut = onClosedChunk { handOut() }
        }
    }

    /// Writes every window of `device` that is closed when its clock reads `mark`.
    private func closeDevice(_ device: DeviceID, at mark: Int64) {
        let d = Int(device)
        guard lanes.contains(where: { mark >= $0.nextClose(of: device) }) else { return }
        registry.withKeys { names in
            for k in lanes.indices where mark >= lanes[k].nextClose(of: device) {
                let size = lanes[k].size
                let series = d < seriesOfDevice.count ? seriesOfDevice[d][...] : []
                lanes[k].close(device: device, series: series, at: mark) { w in
                    closed.append(Rollup(window: size, startMs: w.start, key: names[w.series], stats: w.stats, sketch: w.sketch))
                }
            }
        }
    }

    /// How many device ids the tables (device states and lanes) have room for.
    private var laneDeviceCount: Int { lanes.reduce(devices.count) { Swift.max($0, $1.nextClose.count) } }

    /// The dense index of a device's state, growing the tables for a new one.
    @inline(__always)
    private func deviceIndex(_ device: DeviceID) -> Int {
        let d = Int(device)
        if d >= devices.count {
            // By a quarter, like the lanes' tables: every entry is written (80 bytes a device).
            let n = WindowLane.grownCount(devices.count, toHold: d)
            devices.reserveCapacity(n)
            devices.append(contentsOf: repeatElement(DeviceState(), count: n - devices.count))
            deviceLateByWindow.reserveCapacity(n * lanes.count)
            deviceLateByWindow.append(contentsOf: repeatElement(0, count: n * lanes.count - deviceLateByWindow.count))
        }
        return d
    }

    /// Catches up with series the registry added since the last look.
    private func mirrorRegistry() {
        for device in registry.devicesOfSeries(from: mirroredSeries) {
            let d = Int(device)
            if d >= seriesOfDevice.count {
                seriesOfDevice.append(contentsOf: repeatElement([], count: d + 1 - seriesOfDevice.count))
            }
            seriesOfDevice[d].append(SeriesID(mirroredSeries))
            mirroredSeries += 1
        }
    }

    /// Closes every open window (end of a replay): all remaining rollups become available.
    /// `drain` is called whenever `chunk` or more are waiting in `takeClosed()`, so a caller
    /// can write them as they come instead of holding every open window twice at once.
    public func closeAll(chunk: Int = .max, _ drain: () -> Void = {}) {
        for d in 0..<laneDeviceCount {
            closeDevice(DeviceID(d), at: .max)
            if closed.count >= chunk { drain() }
        }
    }

    /// The rollups closed since the last call, in closing order. (The array is handed over,
    /// not copied: keeping its capacity here would hold a second buffer as large as the
    /// caller's backlog.)
    public func takeClosed() -> [Rollup] {
        rollupsEmitted += closed.count
        let taken = closed
        closed = []
        return taken
    }

    /// The too-late readings since the last call.
    public func takeTooLate() -> [Reading] {
        defer { tooLate.removeAll(keepingCapacity: true) }
        return tooLate
    }

    /// Whether rollups are waiting in `takeClosed()`.
    public var hasClosed: Bool { !closed.isEmpty }

    /// The series key of an id (for describing too-late readings).
    public func key(of series: SeriesID) -> SeriesKey {
        registry.key(of: series)
    }

    // MARK: per-device views

    /// The ingest time at which the first open window is expected to be written: when its
    /// device's clock passes its end plus lateness (its clock assumed to run with the ingest
    /// clock), or when it has been quiet for `idleCloseMs`, whichever is later. Nil when no
    /// window is open.
    public var nextCloseEstimateMs: Int64? {
        var best: Int64?
        for d in devices.indices where devices[d].watermark != .min && devices[d].lastArrivalMs != .min {
            let state = devices[d]
            for lane in lanes {
                let close = lane.nextClose(of: DeviceID(d))
                guard close != .max else { continue }
                var at = state.lastArrivalMs + Swift.max(0, close - state.watermark)
                if let idle = idleCloseMs { at = Swift.max(at, state.lastArrivalMs + idle) }
                if best == nil || at < best! { best = at }
            }
        }
        return best
    }

    /// Every device seen, with its clock and counters (`deadLetters` here are its too-late
    /// readings; the caller adds the messages it rejected).
    public func deviceHealth() -> [DeviceHealth] {
        var all: [DeviceHealth] = []
        let known = registry.deviceCount
        // Sized once: a fleet's snapshot is large (about 140 bytes a device, plus its
        // lateByWindow), and doubling would leave up to half of it unused beside a copy.
        all.reserveCapacity(devices.prefix(known).count { $0.messages > 0 || $0.watermark != .min })
        for d in 0..<Swift.min(devices.count, known) where devices[d].messages > 0 || devices[d].watermark != .min {
            let s = devices[d]
            let (site, device) = registry.device(DeviceID(d))
            var late: [String: Int] = [:]
            for (k, w) in windows.enumerated() { late[w.name] = deviceLateByWindow[d * lanes.count + k] }
            all.append(DeviceHealth(
                site: site, device: device, lastArrivalMs: s.lastArrivalMs, lastEventMs: s.lastEventMs,
                watermarkMs: s.watermark, clockOffsetMs: s.clockOffsetMs, messages: s.messages, readings: s.readings,
                duplicates: s.duplicates, gaps: s.gaps, restarts: s.restarts, tooLate: s.tooLate, lateByWindow: late,
                deadLetters: s.tooLate, openWindows: openWindows(of: DeviceID(d))))
        }
        return all
    }

    private func openWindows(of device: DeviceID) -> Int {
        let series = Int(device) < seriesOfDevice.count ? seriesOfDevice[Int(device)][...] : []
        return lanes.reduce(0) { $0 + $1.openWindows(device: device, series: series).count }
    }

    // MARK: checkpoints

    /// The aggregator's state, for writing to disk.
    public func checkpoint() -> AggregatorCheckpoint {
        mirrorRegistry()
        var open: [AggregatorCheckpoint.OpenWindow] = []
        let deviceCount = laneDeviceCount
        registry.withKeys { names in
            for lane in lanes {
                for d in 0..<deviceCount {
                    let series = d < seriesOfDevice.count ? seriesOfDevice[d][...] : []
                    for w in lane.openWindows(device: DeviceID(d), series: series) {
                        let k = names[w.series]
                        open.append(.init(window: lane.size.name, startMs: w.start, site: k.site, device: k.device,
                                          metric: k.metric, stats: w.stats, sketch: w.sketch))
                    }
                }
            }
        }
        var seqs: [AggregatorCheckpoint.DeviceSeq] = []
        var clocks: [AggregatorCheckpoint.DeviceClock] = []
        for d in 0..<registry.deviceCount {
            let (site, device) = registry.device(DeviceID(d))
            if let s = seq.state(of: DeviceID(d)) {
                seqs.append(.init(site: site, device: device, highest: s.highest, lowest: s.lowest, seen: s.seen))
            }
            if d < devices.count, devices[d].messages > 0 || devices[d].watermark != .min {
                let s = devices[d]
                var counters = [
                    "messages": s.messages, "readings": s.readings, "duplicates": s.duplicates, "gaps": s.gaps,
                    "restarts": s.restarts, "too_late": s.tooLate,
                ]
                for (k, w) in windows.enumerated() { counters["late_\(w.name)"] = deviceLateByWindow[d * lanes.count + k] }
                clocks.append(.init(
                    site: site, device: device, watermarkMs: s.watermark, lastArrivalMs: s.lastArrivalMs,
                    lastEventMs: s.lastEventMs, clockOffsetMs: s.clockOffsetMs, counters: counters))
            }
        }
        var c = AggregatorCheckpoint(
            windows: windows.map(\.name), allowedLatenessMs: allowedLatenessMs,
            watermarkMs: latestEventMs == .min ? nil : latestEventMs, open: open, devices: seqs,
            counters: [
                "readings_accepted": readingsAccepted, "duplicate_readings": duplicateReadings,
                "too_late": tooLateCount, "duplicates": seq.duplicates, "gaps": seq.gaps,
                "device_restarts": seq.restarts, "reopened_windows": reopenedWindows,
            ].merging(zip(windows, lateByWindow).map { ("late_\($0.name)", $1) }) { a, _ in a })
        c.clocks = clocks
        c.ingestClockMs = ingestClockMs == .min ? nil : ingestClockMs
        c.windowAlignment = alignment.name
        return c
    }

    /// Restores a checkpoint into a fresh aggregator. Open windows of sizes no longer
    /// configured are handed back as closed rollups (so nothing is lost when the window
    /// list changes), and so are those that do not start where this aggregator's windows
    /// of their size start (the checkpoint was taken under another `windows.align`): such a
    /// window is written as it stands, holding the readings it had, and later readings go to
    /// windows of the new alignment, so no row mixes the two. Device clocks, seq state and
    /// counters carry on. A checkpoint from
    /// before per-device clocks gives every device with open windows its single watermark.
    public func restore(_ c: AggregatorCheckpoint) {
        if let t = c.ingestClockMs, t > ingestClockMs { ingestClockMs = t }
        for clock in c.clocks {
            let d = deviceIndex(registry.registerDevice(site: clock.site, device: clock.device))
            var s = DeviceState()
            s.watermark = clock.watermarkMs
            s.lastArrivalMs = clock.lastArrivalMs
            s.lastEventMs = clock.lastEventMs
            s.clockOffsetMs = clock.clockOffsetMs
            let n = clock.counters
            s.messages = n["messages"] ?? 0
            s.readings = n["readings"] ?? 0
            s.duplicates = n["duplicates"] ?? 0
            s.gaps = n["gaps"] ?? 0
            s.restarts = n["restarts"] ?? 0
            s.tooLate = n["too_late"] ?? 0
            devices[d] = s
            for (k, w) in windows.enumerated() { deviceLateByWindow[d * lanes.count + k] = n["late_\(w.name)"] ?? 0 }
            if s.watermark > latestEventMs { latestEventMs = s.watermark }
        }
        for o in c.open {
            let key = SeriesKey(site: o.site, device: o.device, metric: o.metric)
            guard let ids = registry.register(key), let size = WindowSize(parsing: o.window) else { continue }
            let d = deviceIndex(ids.device)
            if c.clocks.isEmpty, let w = c.watermarkMs, w > devices[d].watermark {
                devices[d].watermark = w  // written before per-device clocks: one watermark for all
                if devices[d].lastArrivalMs == .min, let t = c.ingestClockMs { devices[d].lastArrivalMs = t }
            }
            if let k = lanes.firstIndex(where: { $0.size == size }),
               size.start(containing: o.startMs, phase: lanes[k].phaseMs) == o.startMs {
                lanes[k].restore(series: ids.series, device: ids.device, start: o.startMs, stats: o.stats, sketch: o.sketch)
            } else {
                closed.append(Rollup(window: size, startMs: o.startMs, key: key, stats: o.stats, sketch: sketches ? o.sketch : .init()))
            }
        }
        mirrorRegistry()
        for d in c.devices {
            let id = registry.registerDevice(site: d.site, device: d.device)
            seq.restore(device: id, highest: d.highest, lowest: d.lowest, seen: d.seen)
        }
        let n = c.counters
        readingsAccepted += n["readings_accepted"] ?? 0
        duplicateReadings += n["duplicate_readings"] ?? 0
        tooLateCount += n["too_late"] ?? 0
        for (k, w) in windows.enumerated() { lateByWindow[k] += n["late_\(w.name)"] ?? 0 }
        restoredReopened = n["reopened_windows"] ?? 0
        seq.restoreCounters(
            duplicates: seq.duplicates + (n["duplicates"] ?? 0), gaps: seq.gaps + (n["gaps"] ?? 0),
            restarts: seq.restarts + (n["device_restarts"] ?? 0))
        for d in devices.indices where devices[d].watermark != .min {
            // A device restored without an arrival time is quiet from the restart on.
            if devices[d].lastArrivalMs == .min, ingestClockMs != .min { devices[d].lastArrivalMs = ingestClockMs }
            closeDevice(DeviceID(d), at: devices[d].watermark)
            if let idle = idleCloseMs, lanes.contains(where: { $0.nextClose(of: DeviceID(d)) != .max }) {
                let last = devices[d].lastArrivalMs
                quiet.schedule(DeviceID(d), at: last == .min ? .min : last + idle)
            }
        }
    }
}
