import Testing
@testable import TelemetryCore

/// A small fleet registered up front: device index → (site, device), metric names.
struct Fleet {
    static let devices = [("hanoi", "aq-1"), ("hanoi", "aq-2"), ("hcmc", "aq-1"), ("danang", "w-9")]
    static let metrics = ["pm25", "temp", "power.voltage"]

    let registry = SeriesRegistry()
    /// [device][metric] → series id
    var series: [[SeriesID]] = []
    var deviceIDs: [DeviceID] = []
    var keys: [SeriesID: SeriesKey] = [:]

    init() {
        for (site, device) in Self.devices {
            var row: [SeriesID] = []
            var dev: DeviceID = 0
            for m in Self.metrics {
                let key = SeriesKey(site: site, device: device, metric: m)
                let ids = registry.register(key)!
                row.append(ids.series)
                dev = ids.device
                keys[ids.series] = key
            }
            series.append(row)
            deviceIDs.append(dev)
        }
    }
}

struct RollupID: Hashable, CustomStringConvertible {
    var window: String
    var start: Int64
    var key: SeriesKey
    var description: String { "\(window)@\(start) \(key)" }
}

/// One generated message: readings of (metric index, event time, value).
struct TestMessage {
    var device: Int
    var seq: Int64?
    var readings: [(metric: Int, time: Int64, value: Double)]
    /// When it reached the daemon (the ingest clock).
    var arrival: Int64 = 0
}

/// The naive reference: replays the stream in order, with one watermark per device.
struct ReferenceAggregator {
    struct Expected {
        var count = 0
        var min = 0.0, max = 0.0, sum = 0.0, mean = 0.0, first = 0.0, last = 0.0, stddev = 0.0
    }

    var groups: [RollupID: [(time: Int64, value: Double)]] = [:]
    /// Per device: the largest event time accepted from it.
    var watermarks: [Int: Int64] = [:]
    /// Every advance of a device's watermark: once how many readings of the stream are in
    /// (duplicates included), which device, to what.
    var watermarkTrace: [(afterReadings: Int, device: Int, mark: Int64)] = []
    private var readingIndex = 0
    var tooLate = 0
    var lateByWindow: [Int]
    var accepted = 0
    var duplicateReadings = 0
    var duplicateMessages = 0
    private var highest: [Int: Int64] = [:]
    private var seen: [Int: Set<Int64>] = [:]

    init(windows: Int) { lateByWindow = Array(repeating: 0, count: windows) }

    /// Whether a message of `device` with `seq` is a duplicate: seen since the device's last
    /// (re)start and within the 1024 seqs up to the highest.
    mutating func isDuplicate(device: Int, seq: Int64) -> Bool {
        guard let h = highest[device] else { highest[device] = seq; seen[device] = [seq]; return false }
        if seq > h { highest[device] = seq; seen[device]!.insert(seq); return false }
        if seq > h - 1_024 { return !seen[device]!.insert(seq).inserted }
        highest[device] = seq; seen[device] = [seq]   // restart
        return false
    }

    static func floorStart(_ t: Int64, _ w: Int64) -> Int64 { t - ((t % w) + w) % w }

    mutating func replay(_ stream: [TestMessage], fleet: Fleet, windows: [WindowSize], lateness: Int64) {
        for m in stream {
            if let s = m.seq, isDuplicate(device: m.device, seq: s) {
                duplicateMessages += 1
                duplicateReadings += m.readings.count
                readingIndex += m.readings.count
                continue
            }
            for r in m.readings {
                readingIndex += 1
                var takenBy: [Int] = []
                let watermark = watermarks[m.device, default: .min]
                for (k, w) in windows.enumerated() {
                    let start = Self.floorStart(r.time, w.milliseconds)
                    if start + w.milliseconds + lateness > watermark { takenBy.append(k) }
                }
                if takenBy.isEmpty { tooLate += 1; continue }
                accepted += 1
                for k in windows.indices where !takenBy.contains(k) { lateByWindow[k] += 1 }
                let key = fleet.keys[fleet.series[m.device][r.metric]]!
                for k in takenBy {
                    let w = windows[k]
                    groups[RollupID(window: w.name, start: Self.floorStart(r.time, w.milliseconds), key: key), default: []]
                        .append((r.time, r.value))
                }
                if r.time > watermark {
                    watermarks[m.device] = r.time
                    watermarkTrace.append((readingIndex, m.device, r.time))
                }
            }
        }
    }

    static func stats(_ xs: [(time: Int64, value: Double)]) -> Expected {
        var e = Expected()
        let values = xs.map(\.value)
        e.count = values.count
        e.min = values.min()!
        e.max = values.max()!
        e.sum = values.reduce(0, +)
        e.mean = e.sum / Double(values.count)
        let mean = e.mean
        e.stddev = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        var first = xs[0], last = xs[0]
        for x in xs {
            if x.time < first.time { first = x }
            if x.time >= last.time { last = x }
        }
        e.first = first.value
        e.last = last.value
        return e
    }
}

@Suite struct WindowAggregatorPropertyTests {
    static let t0: Int64 = 1_795_500_000_000

    static func generate(_ rng: inout SplitMix64) -> [TestMessage] {
        let deviceCount = Fleet.devices.count
        var nextSeq = (0..<deviceCount).map { _ in rng.int64(0...3_000) }
        var history: [[TestMessage]] = Array(repeating: [], count: deviceCount)
        var held: [TestMessage] = []
        var stream: [TestMessage] = []
        var clock = t0 + rng.int64(0...59_999)
        let messages = rng.int(30...350)
        // Whole-second (or 5 s) event times make readings land exactly on window ends and
        // close times, where off-by-one mistakes show.
        let granularity: Int64 = [1, 1, 1_000, 5_000][rng.int(0...3)]
        while stream.count < messages {
            clock += rng.int64(0...1_500)
            let d = rng.int(0..<deviceCount)
            let roll = rng.int(0...99)
            if roll < 8, let old = history[d].suffix(40).randomElement(using: &rng) {
                var again = old
                again.arrival = clock
                stream.append(again)           // broker redelivery: same seq, same content
                continue
            }
            if roll < 12, !held.isEmpty {
                var late = held.remove(at: rng.int(0..<held.count))
                late.arrival = clock
                stream.append(late)            // out-of-order seq
                continue
            }
            var seq: Int64? = nil
            if rng.chance(0.9) {
                if rng.chance(0.05) { nextSeq[d] += rng.int64(1...4) }       // gap
                if rng.chance(0.005) { nextSeq[d] = 0 }                       // device restart
                seq = nextSeq[d]
                nextSeq[d] += 1
            }
            var time: Int64
            if rng.chance(0.03) {
                time = clock - rng.int64(15_000...200_000)                    // far late
            } else {
                time = clock - rng.int64(0...8_000)                           // jitter / out of order
            }
            time -= ((time % granularity) + granularity) % granularity
            var readings: [(metric: Int, time: Int64, value: Double)] = []
            for m in Fleet.metrics.indices.shuffled(using: &rng).prefix(rng.int(1...Fleet.metrics.count)) {
                let v = (Double(rng.int(-2_000...6_000)) / 100).rounded(.towardZero) + Double(rng.int(0...99)) / 100
                readings.append((m, time, v))
            }
            if rng.chance(0.1) { readings.append((readings[0].metric, time, 99.5)) }   // same metric twice
            let msg = TestMessage(device: d, seq: seq, readings: readings, arrival: clock)
            if seq != nil { history[d].append(msg) }
            if seq != nil, rng.chance(0.05) { held.append(msg) } else { stream.append(msg) }
        }
        stream += held.map { var m = $0; m.arrival = clock; return m }
        return stream
    }

    static func readings(_ stream: [TestMessage], fleet: Fleet) -> [Reading] {
        var out: [Reading] = []
        for m in stream {
            for (i, r) in m.readings.enumerated() {
                out.append(Reading(
                    series: fleet.series[m.device][r.metric], device: fleet.deviceIDs[m.device],
                    eventTimeMs: r.time, value: r.value, seq: m.seq ?? Reading.noSeq,
                    isFirstInMessage: i == 0, arrivalMs: m.arrival))
            }
        }
        return out
    }

    /// The property test is only as good as its streams: across the seeds they must contain
    /// duplicates, gap fills, restarts, readings late for 10s only, and too-late readings.
    @Test func generatedStreamsExerciseEveryCase() {
        var duplicates = 0, gapFills = 0, restarts = 0, lateForSmall = 0, tooLate = 0, rollups = 0
        for seed in 0..<200 {
            var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 7)
            _ = rng.int(0...4)
            let fleet = Fleet()
            let stream = Self.generate(&rng)
            let windows = [WindowSize(parsing: "10s")!, WindowSize(parsing: "1m")!]
            var ref = ReferenceAggregator(windows: 2)
            ref.replay(stream, fleet: fleet, windows: windows, lateness: 5_000)
            var tracker = SeqTracker()
            var highest: [Int: Int64] = [:]
            for m in stream {
                guard let s = m.seq else { continue }
                let before = tracker.gaps
                if tracker.observe(device: DeviceID(m.device), seq: s) == .accept, let h = highest[m.device], s < h,
                   tracker.gaps < before { gapFills += 1 }
                highest[m.device] = max(highest[m.device] ?? s, s)
            }
            duplicates += ref.duplicateMessages
            restarts += tracker.restarts
            lateForSmall += ref.lateByWindow[0]
            tooLate += ref.tooLate
            rollups += ref.groups.count
        }
        #expect(duplicates > 100)
        #expect(gapFills > 20)
        #expect(restarts > 0)
        #expect(lateForSmall > 100)
        #expect(tooLate > 100)
        #expect(rollups > 10_000)
    }

    @Test(arguments: 0..<200)
    func rollupsMatchABruteForceReference(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 7)
        let fleet = Fleet()
        let windows = [WindowSize(parsing: "10s")!, WindowSize(parsing: "1m")!]
        let lateness: Int64 = [5_000, 5_000, 5_000, 0, 12_000][rng.int(0...4)]
        let stream = Self.generate(&rng)
        let all = Self.readings(stream, fleet: fleet)

        let agg = WindowAggregator(windows: windows, allowedLatenessMs: lateness, registry: fleet.registry)
        var emitted: [RollupID: Rollup] = [:]
        var emittedTwice: [RollupID] = []
        var closedTooEarly: [String] = []
        // Each device's watermark as the stream goes: a window may close only once its own
        // device's clock has passed its end + lateness.
        var deviceWatermark: [String: Int64] = [:]
        func collect(_ rollups: [Rollup], beforeCloseAll: Bool) {
            for r in rollups {
                let id = RollupID(window: r.window.name, start: r.startMs, key: r.key)
                if emitted.updateValue(r, forKey: id) != nil { emittedTwice.append(id) }
                let wm = deviceWatermark[r.key.site + "/" + r.key.device, default: .min]
                if beforeCloseAll, r.endMs + lateness > wm { closedTooEarly.append("\(id) at its device's watermark \(wm)") }
            }
        }
        var ref = ReferenceAggregator(windows: windows.count)
        ref.replay(stream, fleet: fleet, windows: windows, lateness: lateness)
        var traced = 0
        var pos = 0
        while pos < all.count {
            let end = min(all.count, pos + rng.int(1...60))
            all[pos..<end].withUnsafeBufferPointer { agg.add($0) }
            while traced < ref.watermarkTrace.count, ref.watermarkTrace[traced].afterReadings <= end {
                let (site, device) = Fleet.devices[ref.watermarkTrace[traced].device]
                deviceWatermark[site + "/" + device] = ref.watermarkTrace[traced].mark
                traced += 1
            }
            pos = end
            collect(agg.takeClosed(), beforeCloseAll: true)
        }
        let emittedBeforeCloseAll = Set(emitted.keys)
        agg.closeAll()
        collect(agg.takeClosed(), beforeCloseAll: false)

        #expect(emittedTwice.isEmpty, "emitted twice: \(emittedTwice.prefix(3))")
        #expect(closedTooEarly.isEmpty, "closed before end + lateness: \(closedTooEarly.prefix(3))")
        #expect(agg.latestEventMs == (ref.watermarks.values.max() ?? .min))
        #expect(agg.tooLateCount == ref.tooLate)
        #expect(agg.takeTooLate().count == ref.tooLate)
        #expect(agg.lateByWindow == ref.lateByWindow)
        #expect(agg.readingsAccepted == ref.accepted)
        #expect(agg.duplicateReadings == ref.duplicateReadings)
        #expect(agg.seq.duplicates == ref.duplicateMessages)
        #expect(agg.openWindowCount == 0)
        #expect(agg.rollupsEmitted == emitted.count + emittedTwice.count)

        let expectedKeys = Set(ref.groups.keys)
        let got = Set(emitted.keys)
        #expect(got.subtracting(expectedKeys).isEmpty, "unexpected: \(got.subtracting(expectedKeys).prefix(3))")
        #expect(expectedKeys.subtracting(got).isEmpty, "missing: \(expectedKeys.subtracting(got).prefix(3))")

        // Every window closable before closeAll() was emitted before it.
        let windowMs = Dictionary(uniqueKeysWithValues: windows.map { ($0.name, $0.milliseconds) })
        let late = expectedKeys.filter {
            $0.start + windowMs[$0.window]! + lateness <= deviceWatermark[$0.key.site + "/" + $0.key.device, default: .min]
                && !emittedBeforeCloseAll.contains($0)
        }
        #expect(late.isEmpty, "closable but held back: \(late.prefix(3))")

        var fieldMismatches: [String] = []
        for (id, xs) in ref.groups {
            guard let r = emitted[id] else { continue }
            let e = ReferenceAggregator.stats(xs)
            let s = r.stats
            func check(_ name: String, _ a: Double, _ b: Double) {
                if !nearlyEqual(a, b) { fieldMismatches.append("\(id) \(name): \(a) vs expected \(b)") }
            }
            if s.count != Int64(e.count) { fieldMismatches.append("\(id) count: \(s.count) vs expected \(e.count)") }
            check("min", s.min, e.min); check("max", s.max, e.max); check("sum", s.sum, e.sum)
            check("mean", s.mean, e.mean); check("first", s.first, e.first); check("last", s.last, e.last)
            check("stddev", s.stddev, e.stddev)
            if r.startMs % r.window.milliseconds != 0 { fieldMismatches.append("\(id) start not aligned") }
        }
        #expect(fieldMismatches.isEmpty, "\(fieldMismatches.count) mismatches, e.g. \(fieldMismatches.prefix(5))")
    }
}

@Suite struct WindowAggregatorTests {
    static let t0: Int64 = 1_795_500_000_000     // a multiple of 1 minute
    let fleet = Fleet()

    func reading(_ device: Int = 0, metric: Int = 0, at t: Int64, _ v: Double = 1, seq: Int64 = Reading.noSeq,
                 first: Bool = true) -> Reading {
        Reading(series: fleet.series[device][metric], device: fleet.deviceIDs[device], eventTimeMs: t, value: v,
                seq: seq, isFirstInMessage: first)
    }

    func add(_ agg: WindowAggregator, _ rs: [Reading]) { rs.withUnsafeBufferPointer { agg.add($0) } }

    @Test func windowClosesExactlyWhenItsDevicesWatermarkReachesEndPlusLateness() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "10s")!], allowedLatenessMs: 5_000, registry: fleet.registry)
        add(agg, [reading(at: Self.t0 + 1_000)])
        add(agg, [reading(metric: 1, at: Self.t0 + 14_999)])
        #expect(agg.takeClosed().isEmpty)
        add(agg, [reading(metric: 1, at: Self.t0 + 15_000)])
        let closed = agg.takeClosed()
        #expect(closed.map(\.startMs) == [Self.t0])
        #expect(closed.map(\.key) == [fleet.keys[fleet.series[0][0]]!])
        #expect(closed.first?.window.name == "10s")
        #expect(agg.takeClosed().isEmpty)
    }

    @Test func anotherDevicesClockNeverClosesAWindow() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "10s")!], allowedLatenessMs: 5_000, registry: fleet.registry)
        add(agg, [reading(at: Self.t0 + 1_000)])
        add(agg, [reading(1, at: Self.t0 + 240_000)])       // device 1's clock is 4 minutes fast
        #expect(agg.takeClosed().isEmpty)
        add(agg, [reading(at: Self.t0 + 2_000)])            // device 0 goes on in its own time
        #expect(agg.tooLateCount == 0)
        add(agg, [reading(at: Self.t0 + 15_000)])
        #expect(agg.takeClosed().map(\.stats.count) == [2])
    }

    @Test func lateReadingWithinLatenessStillCounts() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "10s")!], allowedLatenessMs: 5_000, registry: fleet.registry)
        add(agg, [reading(at: Self.t0 + 1_000, 1)])
        add(agg, [reading(metric: 1, at: Self.t0 + 14_000)])
        add(agg, [reading(at: Self.t0 + 9_999, 3)])       // its device's watermark 14 s < 15 s: still open
        agg.closeAll()
        let r = agg.takeClosed().first { $0.key == fleet.keys[fleet.series[0][0]]! }
        #expect(r?.stats.count == 2)
        #expect(r?.stats.sum == 4)
        #expect(agg.tooLateCount == 0)
    }

    @Test func readingNoWindowOfItsDeviceCanTakeIsTooLateAndHandedBack() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "10s")!, WindowSize(parsing: "1m")!],
                                   allowedLatenessMs: 5_000, registry: fleet.registry)
        add(agg, [reading(2, at: Self.t0 + 70_000)])
        let late = reading(2, metric: 1, at: Self.t0 + 1_000, 7)
        add(agg, [late])
        #expect(agg.tooLateCount == 1)
        #expect(agg.lateByWindow == [0, 0])
        #expect(agg.takeTooLate() == [late])
        #expect(agg.takeTooLate().isEmpty)
        #expect(agg.readingsAccepted == 1)
        add(agg, [reading(3, at: Self.t0 + 1_000, 7)])       // the same time from another device is fine
        #expect(agg.tooLateCount == 1)
    }

    @Test func readingLateForTheSmallWindowOnlyCountsInLateByWindow() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "10s")!, WindowSize(parsing: "1m")!],
                                   allowedLatenessMs: 5_000, registry: fleet.registry)
        add(agg, [reading(1, at: Self.t0 + 30_000)])
        add(agg, [reading(1, metric: 1, at: Self.t0 + 1_000, 5)])   // 10s window closed at 15 s; 1m open until 65 s
        #expect(agg.tooLateCount == 0)
        #expect(agg.lateByWindow == [1, 0])
        agg.closeAll()
        let oneMinute = agg.takeClosed().filter { $0.window.name == "1m" && $0.key == fleet.keys[fleet.series[1][1]]! }
        #expect(oneMinute.map(\.stats.count) == [1])
    }

    @Test func duplicateMessageSplitAcrossDrainsIsDroppedWhole() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "1m")!], allowedLatenessMs: 5_000, registry: fleet.registry)
        let message = [reading(metric: 0, at: Self.t0, 1, seq: 5, first: true),
                       reading(metric: 1, at: Self.t0, 2, seq: 5, first: false),
                       reading(metric: 2, at: Self.t0, 3, seq: 5, first: false)]
        add(agg, message)
        add(agg, Array(message[0..<2]))       // redelivered, drained in two parts
        add(agg, [message[2]])
        #expect(agg.duplicateReadings == 3)
        #expect(agg.seq.duplicates == 1)
        agg.closeAll()
        let closed = agg.takeClosed()
        #expect(closed.count == 3)
        #expect(closed.allSatisfy { $0.stats.count == 1 })
    }

    @Test func messagesWithoutSeqAreNeverDuplicates() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "1m")!], allowedLatenessMs: 5_000, registry: fleet.registry)
        add(agg, [reading(at: Self.t0, 1)])
        add(agg, [reading(at: Self.t0, 1)])
        #expect(agg.duplicateReadings == 0)
        agg.closeAll()
        #expect(agg.takeClosed().map(\.stats.count) == [2])
    }

    @Test func firstAndLastFollowEventTimeNotArrivalOrder() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "1m")!], allowedLatenessMs: 5_000, registry: fleet.registry)
        add(agg, [reading(at: Self.t0 + 30_000, 30), reading(at: Self.t0 + 10_000, 10),
                  reading(at: Self.t0 + 50_000, 50), reading(at: Self.t0 + 20_000, 20)])
        agg.closeAll()
        let s = agg.takeClosed()[0].stats
        #expect(s.first == 10)
        #expect(s.last == 50)
        #expect(s.min == 10 && s.max == 50 && s.count == 4 && s.sum == 110)
    }

    @Test func closedRollupsComeOutInStartThenSeriesOrderPerDevice() {
        let agg = WindowAggregator(windows: [WindowSize(parsing: "10s")!], allowedLatenessMs: 0, registry: fleet.registry)
        add(agg, [reading(metric: 2, at: Self.t0 + 1), reading(metric: 0, at: Self.t0 + 2),
                  reading(metric: 1, at: Self.t0 + 10_001), reading(metric: 0, at: Self.t0 + 10_002)])
        add(agg, [reading(metric: 2, at: Self.t0 + 25_000)])
        let closed = agg.takeClosed()
        #expect(closed.map(\.startMs) == [Self.t0, Self.t0, Self.t0 + 10_000, Self.t0 + 10_000])
        #expect(closed.map(\.key.metric) == ["pm25", "power.voltage", "pm25", "temp"])
    }

    @Test func checkpointRestoreCarriesOpenWindowsAndSeqState() {
        let windows = [WindowSize(parsing: "10s")!, WindowSize(parsing: "1m")!]
        let a = WindowAggregator(windows: windows, allowedLatenessMs: 5_000, registry: fleet.registry)
        add(a, [reading(at: Self.t0 + 1_000, 1, seq: 1), reading(1, at: Self.t0 + 2_000, 2, seq: 9)])
        let checkpoint = a.checkpoint()

        let other = Fleet()
        let b = WindowAggregator(windows: windows, allowedLatenessMs: 5_000, registry: other.registry)
        b.restore(checkpoint)
        let dup = Reading(series: other.series[0][0], device: other.deviceIDs[0], eventTimeMs: Self.t0 + 1_000, value: 1, seq: 1)
        let more = Reading(series: other.series[0][0], device: other.deviceIDs[0], eventTimeMs: Self.t0 + 3_000, value: 4, seq: 2)
        [dup, more].withUnsafeBufferPointer { b.add($0) }
        #expect(b.duplicateReadings == 1)
        b.closeAll()
        let rows = b.takeClosed().filter { $0.key == other.keys[other.series[0][0]]! }
        #expect(rows.map(\.window.name).sorted() == ["10s", "1m"])
        #expect(rows.allSatisfy { $0.stats.count == 2 && $0.stats.sum == 5 })
    }
}

@Suite struct RollupAccumulatorTests {
    @Test func tiesOnFirstKeepTheEarliestAddedAndOnLastTheLatestAdded() {
        var a = RollupAccumulator()
        a.add(1, at: 100)
        a.add(2, at: 100)
        a.add(3, at: 50)
        a.add(4, at: 50)
        a.add(5, at: 200)
        a.add(6, at: 200)
        #expect(a.first == 3)
        #expect(a.last == 6)
    }

    @Test func singleReadingHasZeroStddev() {
        var a = RollupAccumulator()
        a.add(42.5, at: 0)
        #expect(a.stddev == 0)
        #expect(a.mean == 42.5)
    }

    /// ±1.7e308: the difference of the two (3.4e308) is beyond a double, the mean and the
    /// spread are not.
    @Test func oppositeExtremesGiveAFiniteMeanAndStddev() {
        var a = RollupAccumulator()
        a.add(1.7e308, at: 0)
        a.add(-1.7e308, at: 1)
        #expect(a.mean == 0)
        #expect(a.stddev == 1.7e308)
        #expect(a.sum == 0)
    }

    /// The running sum of these overflows although the true sum (1.7e308) does not.
    @Test func aSumThatOverflowsOnTheWayIsReportedFromTheMean() {
        var a = RollupAccumulator()
        for (i, x) in [1.7e308, 1.7e308, -1.7e308].enumerated() { a.add(x, at: Int64(i)) }
        #expect(a.mean.isFinite && a.sum.isFinite && a.stddev.isFinite)
        #expect(nearlyEqual(a.mean, 1.7e308 / 3, relative: 1e-12))
        #expect(nearlyEqual(a.sum, 1.7e308, relative: 1e-12))
        // Population stddev of {a, a, -a} is a·√8/3.
        #expect(nearlyEqual(a.stddev, 1.7e308 * 8.0.squareRoot() / 3, relative: 1e-12))
    }

    /// Deviations of 1e200 square to 1e400: the sum of squares is beyond a double, the
    /// standard deviation is not.
    @Test func hugeDeviationsGiveAFiniteStddev() {
        var a = RollupAccumulator()
        for (i, x) in [1e200, -1e200, 1e200, -1e200].enumerated() { a.add(x, at: Int64(i)) }
        #expect(abs(a.mean) <= 1e188)
        #expect(a.stddev.isFinite)
        #expect(nearlyEqual(a.stddev, 1e200, relative: 1e-12))
    }

    /// Where nothing overflows, the statistics are bit for bit those of the plain Welford
    /// update (the algorithm before overflow was handled).
    @Test func withoutOverflowTheResultsAreBitIdenticalToPlainWelford() {
        struct PlainWelford {
            var count: Int64 = 0, sum = 0.0, mean = 0.0, m2 = 0.0
            mutating func add(_ value: Double) {
                count += 1
                sum += value
                let delta = value - mean
                mean += delta / Double(count)
                m2 += delta * (value - mean)
            }
            var stddev: Double { count > 0 ? (max(m2, 0) / Double(count)).squareRoot() : 0 }
        }
        var rng = SplitMix64(seed: 10)
        for round in 0..<300 {
            var a = RollupAccumulator(), plain = PlainWelford()
            let scale = [1e-300, 1e-12, 1, 1e3, 1e9, 1e30, 1e60][round % 7]
            let offset = [0, 1e9, -273.15][round % 3] * scale
            for i in 0..<rng.int(1...200) {
                let x = offset + (Double(rng.int64(-1_000_000...1_000_000)) / 1_000) * scale
                a.add(x, at: Int64(i))
                plain.add(x)
            }
            #expect(a.count == plain.count)
            #expect(a.sum.bitPattern == plain.sum.bitPattern, "round \(round)")
            #expect(a.mean.bitPattern == plain.mean.bitPattern, "round \(round)")
            #expect(a.m2.bitPattern == plain.m2.bitPattern, "round \(round)")
            #expect(a.stddev.bitPattern == plain.stddev.bitPattern, "round \(round)")
        }
    }

    @Test func stddevStaysAccurateWithALargeOffset() {
        // Naive sum-of-squares loses everything here; Welford must not.
        var a = RollupAccumulator()
        let xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]
        for (i, x) in xs.enumerated() { a.add(x, at: Int64(i)) }
        let mean = xs.reduce(0, +) / 4
        let twoPass = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4).squareRoot()
        #expect(nearlyEqual(a.stddev, twoPass, relative: 1e-9))
        #expect(nearlyEqual(a.mean, mean))
    }
}
