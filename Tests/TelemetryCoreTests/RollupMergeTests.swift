import Testing
@testable import TelemetryCore

/// Percentiles and mergeable state through the aggregator, its checkpoint, rows and their merge.
@Suite struct RollupMergeTests {
    static let t0: Int64 = 1_795_500_000_000  // 2026-11-24T06:00:00Z, a multiple of 1 minute
    static let tenSeconds = WindowSize(parsing: "10s")!
    static let minute = WindowSize(parsing: "1m")!
    let fleet = Fleet()

    /// A minute of two series: a noisy sensor and a series with negatives and zeros, readings
    /// at irregular times (not in time order), then one reading a minute later that closes it.
    func minuteOfReadings() -> [Reading] {
        var rng = SplitMix64(seed: 77)
        var out: [Reading] = []
        for i in 0..<120 {
            let t = Self.t0 + Int64(i) * 500 + Int64.random(in: 0..<400, using: &rng)
            out.append(Reading(series: fleet.series[0][0], device: fleet.deviceIDs[0], eventTimeMs: t,
                               value: 20 + rng.unit() * 5, isFirstInMessage: true))
            let v = i % 7 == 0 ? 0 : (rng.unit() - 0.5) * 1e4
            out.append(Reading(series: fleet.series[0][1], device: fleet.deviceIDs[0], eventTimeMs: t, value: v,
                               isFirstInMessage: false))
        }
        // a little disorder inside the lateness
        out.swapAt(10, 14)
        out.swapAt(100, 108)
        return out
    }

    func closer() -> Reading {
        Reading(series: fleet.series[0][2], device: fleet.deviceIDs[0], eventTimeMs: Self.t0 + 200_000, value: 1,
                isFirstInMessage: true)
    }

    func rows(_ agg: WindowAggregator) -> [RollupRow] {
        agg.takeClosed().filter { $0.key.metric != Fleet.metrics[2] }.map { RollupRow($0) }
    }

    @Test func mergingTheTenSecondRowsOfAMinuteEqualsTheMinuteRow() throws {
        let agg = WindowAggregator(windows: [Self.tenSeconds, Self.minute], allowedLatenessMs: 5_000, registry: fleet.registry)
        (minuteOfReadings() + [closer()]).withUnsafeBufferPointer { agg.add($0) }
        let all = rows(agg)
        let direct = all.filter { $0.window == Self.minute }
        #expect(direct.count == 2)
        var merge = RollupMerge(window: Self.minute)
        for row in all where row.window == Self.tenSeconds { try merge.add(row) }
        let merged = merge.rows
        #expect(merged.count == direct.count)
        for (m, d) in zip(merged, direct.sorted(by: RollupRow.outputOrder)) {
            #expect(m.series == d.series)
            #expect((m.window, m.start, m.end) == (d.window, d.start, d.end))
            // exact
            #expect(m.count == d.count)
            #expect(m.min == d.min)
            #expect(m.max == d.max)
            #expect(m.first == d.first)
            #expect(m.last == d.last)
            #expect(m.firstTs == d.firstTs)
            #expect(m.lastTs == d.lastTs)
            #expect(m.sketch == d.sketch)
            #expect(m.percentiles == d.percentiles)
            // within floating-point rounding (the additions happen in another order): 1e-12
            // relative to the magnitudes involved
            let scale = Swift.max(d.max.magnitude, d.min.magnitude)
            #expect((m.sum - d.sum).magnitude <= 1e-12 * scale * Double(d.count))
            #expect((m.mean - d.mean).magnitude <= 1e-12 * scale)
            #expect((m.m2! - d.m2!).magnitude <= 1e-12 * d.m2!)
            #expect((m.stddev - d.stddev).magnitude <= 1e-12 * d.stddev)
        }
    }

    @Test func mergingRowsFromTwoDaemonsEqualsOneDaemonSeeingAllReadings() throws {
        let readings = minuteOfReadings()
        let one = WindowAggregator(windows: [Self.minute], allowedLatenessMs: 5_000, registry: fleet.registry)
        (readings + [closer()]).withUnsafeBufferPointer { one.add($0) }
        let whole = rows(one).sorted(by: RollupRow.outputOrder)
        var parts: [RollupRow] = []
        for half in [readings.enumerated().filter { $0.offset / 2 % 2 == 0 }, readings.enumerated().filter { $0.offset / 2 % 2 == 1 }] {
            let agg = WindowAggregator(windows: [Self.minute], allowedLatenessMs: 5_000, registry: fleet.registry)
            (half.map { var r = $0.element; r.isFirstInMessage = true; return r } + [closer()])
                .withUnsafeBufferPointer { agg.add($0) }
            parts += rows(agg)
        }
        var merge = RollupMerge(window: Self.minute)
        for row in parts { try merge.add(row) }
        for (m, d) in zip(merge.rows, whole) {
            #expect((m.count, m.min, m.max, m.first, m.last) == (d.count, d.min, d.max, d.first, d.last))
            #expect(m.firstTs == d.firstTs)
            #expect(m.lastTs == d.lastTs)
            #expect(m.sketch == d.sketch)
            #expect(m.percentiles == d.percentiles)
        }
    }

    @Test func aRowWhoseWindowDoesNotDivideTheTargetIsRefused() {
        var merge = RollupMerge(window: WindowSize(parsing: "1m")!)
        let row = RollupRow(window: WindowSize(parsing: "45s")!, start: Self.t0, end: Self.t0 + 45_000, site: "s",
                            device: "d", metric: "m", count: 1, min: 1, max: 1, sum: 1, mean: 1, first: 1, last: 1, stddev: 0)
        #expect(throws: RollupMerge.Failure.windowDoesNotDivide(row: row.window, target: merge.window)) { try merge.add(row) }
    }

    @Test func rowsWithoutTheMergeableStateStillMergeCountsAndExtremes() throws {
        func old(_ start: Int64, _ v: Double) -> RollupRow {
            RollupRow(window: Self.tenSeconds, start: start, end: start + 10_000, site: "s", device: "d", metric: "m",
                      count: 2, min: v - 1, max: v + 1, sum: 2 * v, mean: v, first: v - 1, last: v + 1, stddev: 1)
        }
        let m = try #require(RollupRow.merged([old(Self.t0 + 10_000, 5), old(Self.t0, 1)], window: Self.minute, start: Self.t0))
        #expect((m.count, m.min, m.max, m.sum, m.mean) == (4, 0, 6, 12, 3))
        #expect((m.first, m.last) == (0, 6))  // ordered by window start when first_ts is missing
        #expect(m.m2 == 20.0)  // Chan: m2_a + m2_b + δ²·n_a·n_b/n = 2 + 2 + 4²·2·2/4, with m2 = stddev²·count
        #expect(m.firstTs == nil)
        #expect(m.lastTs == nil)
        #expect(m.sketch == nil)
        #expect(m.percentiles.isEmpty)
    }

    @Test func aRestoredCheckpointGivesTheSamePercentilesAsAnUninterruptedRun() throws {
        let readings = minuteOfReadings()
        let windows = [Self.tenSeconds, Self.minute]
        let straight = WindowAggregator(windows: windows, allowedLatenessMs: 5_000, registry: fleet.registry)
        (readings + [closer()]).withUnsafeBufferPointer { straight.add($0) }
        let want = rows(straight).sorted(by: RollupRow.outputOrder)

        let first = WindowAggregator(windows: windows, allowedLatenessMs: 5_000, registry: fleet.registry)
        Array(readings[..<130]).withUnsafeBufferPointer { first.add($0) }
        let before = rows(first)
        let bytes = first.checkpoint().jsonBytes()
        let checkpoint = try AggregatorCheckpoint(json: bytes)
        #expect(checkpoint.open.contains { !$0.sketch.isEmpty })
        let second = WindowAggregator(windows: windows, allowedLatenessMs: 5_000, registry: fleet.registry)
        second.restore(checkpoint)
        (Array(readings[130...]) + [closer()]).withUnsafeBufferPointer { second.add($0) }
        let got = (before + rows(second)).sorted(by: RollupRow.outputOrder)
        #expect(got == want)
    }

    @Test func theCheckpointSavesEachOpenWindowsSketch() throws {
        var stats = RollupAccumulator()
        var sketch = QuantileSketch()
        for v in [1.5, 3, -2, 0] { stats.add(v, at: Self.t0 + 100); sketch.add(v) }
        let c = AggregatorCheckpoint(
            windows: ["1m"], allowedLatenessMs: 0, watermarkMs: nil,
            open: [.init(window: "1m", startMs: Self.t0, site: "s", device: "d", metric: "m", stats: stats, sketch: sketch)],
            devices: [], counters: [:])
        let back = try AggregatorCheckpoint(json: c.jsonBytes())
        #expect(back == c)
        #expect(back.open[0].sketch.count == 4)
    }

    @Test func withoutSketchesRowsHaveNoPercentiles() {
        let agg = WindowAggregator(windows: [Self.minute], allowedLatenessMs: 5_000, sketches: false, registry: fleet.registry)
        (minuteOfReadings() + [closer()]).withUnsafeBufferPointer { agg.add($0) }
        let all = rows(agg)
        #expect(!all.isEmpty)
        #expect(all.allSatisfy { $0.sketch == nil && $0.percentiles.isEmpty && $0.m2 != nil && $0.firstTs != nil })
    }

    @Test func percentilesOfARollupAreWithinOnePercentOfTheExactOnes() {
        let agg = WindowAggregator(windows: [Self.minute], allowedLatenessMs: 5_000, registry: fleet.registry)
        let readings = minuteOfReadings()
        (readings + [closer()]).withUnsafeBufferPointer { agg.add($0) }
        for row in rows(agg) {
            let values = readings.filter { fleet.keys[$0.series]!.metric == row.metric }.map(\.value).sorted()
            #expect(row.percentiles.map(\.percentile.name) == ["p50", "p90", "p95", "p99"])
            for p in row.percentiles {
                let exact = values[Int((p.percentile.quantile * Double(values.count - 1)).rounded(.down))]
                #expect((p.value - exact).magnitude <= 0.01 * (1 + 1e-9) * exact.magnitude, "\(row.metric) \(p)")
            }
        }
    }
}

@Suite struct PercentileTests {
    @Test func namesFollowThePercent() {
        #expect(Percentile(percent: 50)?.name == "p50")
        #expect(Percentile(percent: 99.9)?.name == "p99_9")
        #expect(Percentile(percent: 0.5)?.name == "p0_5")
    }

    @Test(arguments: [0.0, 100, -1, 150, .nan])
    func percentsOutsideZeroToHundredAreRefused(_ p: Double) {
        #expect(Percentile(percent: p) == nil)
    }

    @Test func aColumnNameReadsBack() {
        #expect(Percentile(name: "p99_9") == Percentile(percent: 99.9))
        #expect(Percentile(name: "p50") == Percentile(percent: 50))
        for name in ["p", "p_5", "p050", "p100", "pm25", "p9_9_9", "p1_50"] { #expect(Percentile(name: name) == nil, "\(name)") }
    }
}
