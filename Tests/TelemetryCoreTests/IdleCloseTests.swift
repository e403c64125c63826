import Testing
@testable import TelemetryCore

/// Idle close and the per-device clocks: what a device that goes quiet, uploads a backlog, or
/// has a bad clock gets.
@Suite struct IdleCloseTests {
    static let t0: Int64 = 1_795_500_000_000     // a multiple of 1 hour
    let fleet = Fleet()
    let tenSeconds = WindowSize(parsing: "10s")!
    let oneMinute = WindowSize(parsing: "1m")!

    /// A reading of `device` with event time `t` that arrived at `arrival` (default: `t`).
    func reading(_ device: Int = 0, metric: Int = 0, at t: Int64, arrived arrival: Int64? = nil, _ v: Double = 1,
                 seq: Int64 = Reading.noSeq) -> Reading {
        Reading(series: fleet.series[device][metric], device: fleet.deviceIDs[device], eventTimeMs: t, value: v,
                seq: seq, isFirstInMessage: true, arrivalMs: arrival ?? t)
    }

    func add(_ agg: WindowAggregator, _ rs: [Reading]) { rs.withUnsafeBufferPointer { agg.add($0) } }

    func aggregator(idle: Int64? = 30_000, lateness: Int64 = 5_000, windows: [WindowSize]? = nil) -> WindowAggregator {
        WindowAggregator(windows: windows ?? [tenSeconds], allowedLatenessMs: lateness, idleCloseMs: idle, registry: fleet.registry)
    }

    @Test func aQuietDevicesPassedWindowIsWrittenOnceItHasBeenQuietForIdleClose() {
        let agg = aggregator()
        add(agg, [reading(at: Self.t0 + 1_000)])
        agg.advanceIngestClock(to: Self.t0 + 30_999)
        #expect(agg.takeClosed().isEmpty)
        agg.advanceIngestClock(to: Self.t0 + 31_000)
        #expect(agg.takeClosed().map(\.stats.count) == [1])
        #expect(agg.openWindowCount == 0)
    }

    @Test func idleCloseWaitsForTheWindowsEndPlusLatenessOnTheDevicesOwnClock() {
        let agg = aggregator(idle: 2_000, windows: [oneMinute])
        add(agg, [reading(at: Self.t0 + 1_000)])
        agg.advanceIngestClock(to: Self.t0 + 64_999)   // quiet long enough, but its minute + 5 s has not passed
        #expect(agg.takeClosed().isEmpty)
        agg.advanceIngestClock(to: Self.t0 + 66_000)
        #expect(agg.takeClosed().map(\.window) == [oneMinute])
    }

    @Test func aFastClockIsExtrapolatedFromItsOwnWatermark() {
        let agg = aggregator(idle: 2_000)
        // 4 minutes fast: event time runs 240 s ahead of arrival.
        add(agg, [reading(at: Self.t0 + 241_000, arrived: Self.t0 + 1_000)])
        agg.advanceIngestClock(to: Self.t0 + 3_000)   // quiet 2 s; its clock reads 243 s < 255 s
        #expect(agg.takeClosed().isEmpty)
        agg.advanceIngestClock(to: Self.t0 + 15_000)  // its clock reads 255 s = end 250 s + 5 s
        #expect(agg.takeClosed().count == 1)
    }

    @Test func aWrittenWindowReachedAgainAfterALateReadingOpenedAnEarlierOneCountsAsReopened() {
        let agg = aggregator(lateness: 60_000)
        add(agg, [reading(at: Self.t0 + 15_000)])
        agg.advanceIngestClock(to: Self.t0 + 80_000)   // quiet 65 s: its clock passed [10 s, 20 s) + 60 s
        #expect(agg.takeClosed().map(\.startMs) == [Self.t0 + 10_000])
        add(agg, [reading(at: Self.t0 + 5_000, arrived: Self.t0 + 81_000)])   // within lateness: [0, 10 s) opens
        #expect(agg.reopenedWindows == 0)
        add(agg, [reading(at: Self.t0 + 16_000, arrived: Self.t0 + 82_000)])  // the written window again
        #expect(agg.reopenedWindows == 1)
        #expect(agg.openWindowCount == 2)
    }

    @Test func idleCloseOffKeepsAQuietDevicesWindowsOpen() {
        let agg = aggregator(idle: nil)
        add(agg, [reading(at: Self.t0 + 1_000)])
        agg.advanceIngestClock(to: Self.t0 + 86_400_000)
        #expect(agg.takeClosed().isEmpty)
        #expect(agg.nextCloseEstimateMs == Self.t0 + 15_000)
    }

    @Test func aDeviceThatKeepsSendingIsNotIdleClosed() {
        let agg = aggregator(idle: 2_000, windows: [oneMinute])
        for s in 0..<30 { add(agg, [reading(at: Self.t0 + Int64(s) * 1_000)]) }
        agg.advanceIngestClock(to: Self.t0 + 30_000)
        #expect(agg.takeClosed().isEmpty)
    }

    @Test func aBacklogAfterAnOutageGetsEveryReadingIntoItsWindows() {
        let agg = aggregator(windows: [tenSeconds, oneMinute])
        // Live until 0:07, then a 30-minute outage, then the buffered readings in order.
        for s in 0...7 { add(agg, [reading(at: Self.t0 + Int64(s) * 1_000, Double(s))]) }
        let back = Self.t0 + 1_807_000
        agg.advanceIngestClock(to: back)
        let duringOutage = agg.takeClosed()
        #expect(duringOutage.map(\.stats.count) == [8, 8])    // 10s and 1m windows written when quiet
        for s in 8..<1_807 { add(agg, [reading(at: Self.t0 + Int64(s) * 1_000, arrived: back + Int64(s) / 100, Double(s))]) }
        agg.closeAll()
        let rows = duringOutage + agg.takeClosed()
        #expect(agg.tooLateCount == 0)
        #expect(agg.lateByWindow == [0, 0])
        #expect(agg.readingsAccepted == 1_807)
        for w in [tenSeconds, oneMinute] {
            #expect(rows.filter { $0.window == w }.reduce(0) { $0 + $1.stats.count } == 1_807)
        }
        // The two windows open when it went quiet were written again with the rest of their readings.
        let firstTen = rows.filter { $0.window == tenSeconds && $0.startMs == Self.t0 }
        #expect(firstTen.map(\.stats.count) == [8, 2])
        #expect(agg.reopenedWindows == 2)
    }

    @Test func aReadingBeyondItsDevicesLatenessIsTooLateEvenAfterIdleClose() {
        let agg = aggregator()
        add(agg, [reading(at: Self.t0 + 30_000)])
        agg.advanceIngestClock(to: Self.t0 + 200_000)
        _ = agg.takeClosed()
        add(agg, [reading(metric: 1, at: Self.t0 + 1_000, arrived: Self.t0 + 200_001)])   // 10s window ended 29 s before its watermark
        #expect(agg.tooLateCount == 1)
        add(agg, [reading(metric: 1, at: Self.t0 + 26_000, arrived: Self.t0 + 200_002)])  // within 5 s of it: taken
        #expect(agg.tooLateCount == 1)
        #expect(agg.readingsAccepted == 2)
    }

    @Test func idleCloseDoesNotMoveTheDevicesWatermark() {
        let agg = aggregator(idle: 1_000)
        add(agg, [reading(at: Self.t0 + 1_000)])
        agg.advanceIngestClock(to: Self.t0 + 600_000)
        let health = agg.deviceHealth().first { $0.device == Fleet.devices[0].1 && $0.site == Fleet.devices[0].0 }
        #expect(health?.watermarkMs == Self.t0 + 1_000)
    }

    @Test func deviceHealthCountsPerDevice() {
        let agg = aggregator(idle: nil, windows: [tenSeconds, oneMinute])
        add(agg, [reading(at: Self.t0 + 240_000, arrived: Self.t0, seq: 1)])      // 4 minutes fast
        add(agg, [reading(at: Self.t0 + 241_000, arrived: Self.t0 + 1_000, seq: 1)]) // a duplicate
        add(agg, [reading(at: Self.t0 + 242_000, arrived: Self.t0 + 2_000, seq: 5)]) // 3 missing
        add(agg, [reading(metric: 1, at: Self.t0 + 200_000, arrived: Self.t0 + 3_000, seq: 6)]) // too late for 10s only
        add(agg, [reading(metric: 1, at: Self.t0 + 1_000, arrived: Self.t0 + 4_000, seq: 7)])   // too late
        add(agg, [reading(1, at: Self.t0, arrived: Self.t0)])
        let all = agg.deviceHealth()
        let fast = all.first { $0.site == "hanoi" && $0.device == "aq-1" }!
        #expect(fast.messages == 5)
        #expect(fast.duplicates == 1)
        #expect(fast.gaps == 3)
        #expect(fast.readings == 3)
        #expect(fast.tooLate == 1)
        #expect(fast.lateByWindow == ["10s": 1, "1m": 0])
        #expect(fast.watermarkMs == Self.t0 + 242_000)
        #expect(fast.lastArrivalMs == Self.t0 + 4_000)
        #expect(fast.clockOffsetMs > 100_000)
        let other = all.first { $0.site == "hanoi" && $0.device == "aq-2" }!
        #expect(other.messages == 1 && other.tooLate == 0 && other.clockOffsetMs == 0)
    }

    @Test func clockOffsetIsSmoothedOverMessages() {
        let agg = aggregator(idle: nil)
        add(agg, [reading(at: Self.t0 + 8_000, arrived: Self.t0)])
        add(agg, [reading(at: Self.t0 + 1_000, arrived: Self.t0 + 1_000)])
        // 8000 + (0 − 8000) / 8
        #expect(agg.deviceHealth()[0].clockOffsetMs == 7_000)
    }

    @Test func nextCloseEstimateIsTheEarliestOfEndPlusLatenessAndIdleClose() {
        let agg = aggregator(idle: 30_000)
        add(agg, [reading(at: Self.t0 + 1_000)])
        #expect(agg.nextCloseEstimateMs == Self.t0 + 31_000)
        let busy = aggregator(idle: 2_000)
        add(busy, [reading(at: Self.t0 + 1_000)])
        #expect(busy.nextCloseEstimateMs == Self.t0 + 15_000)
    }

    @Test func checkpointCarriesEachDevicesClock() throws {
        let a = aggregator(idle: 30_000, windows: [tenSeconds, oneMinute])
        add(a, [reading(at: Self.t0 + 100_000, arrived: Self.t0 + 90_000, seq: 3)])
        add(a, [reading(1, at: Self.t0 + 5_000)])
        let checkpoint = try AggregatorCheckpoint(json: a.checkpoint().jsonBytes())
        let other = Fleet()
        let b = WindowAggregator(windows: [tenSeconds, oneMinute], allowedLatenessMs: 5_000, idleCloseMs: 30_000, registry: other.registry)
        b.restore(checkpoint)
        #expect(b.ingestClockMs == Self.t0 + 90_000)
        // Device 0's own watermark (100 s) makes 0:01 too late; device 1's (5 s) does not.
        let late = Reading(series: other.series[0][1], device: other.deviceIDs[0], eventTimeMs: Self.t0 + 1_000, value: 1)
        let fine = Reading(series: other.series[1][1], device: other.deviceIDs[1], eventTimeMs: Self.t0 + 1_000, value: 1)
        [late, fine].withUnsafeBufferPointer { b.add($0) }
        #expect(b.tooLateCount == 1)
        let health = b.deviceHealth().first { $0.site == "hanoi" && $0.device == "aq-1" }
        #expect(health?.messages == 2)
        #expect(health?.lastArrivalMs == Self.t0 + 90_000)
    }

    @Test func aCheckpointFromBeforeDeviceClocksGivesItsWatermarkToDevicesWithOpenWindows() {
        let a = aggregator(idle: nil)
        add(a, [reading(at: Self.t0 + 1_000)])
        var old = a.checkpoint()
        old.clocks = []
        old.ingestClockMs = nil
        old.watermarkMs = Self.t0 + 9_000
        let other = Fleet()
        let b = WindowAggregator(windows: [tenSeconds], allowedLatenessMs: 5_000, registry: other.registry)
        b.restore(old)
        let next = Reading(series: other.series[0][0], device: other.deviceIDs[0], eventTimeMs: Self.t0 + 15_000, value: 1)
        [next].withUnsafeBufferPointer { b.add($0) }
        #expect(b.takeClosed().map(\.stats.count) == [1])
    }

    /// Idle close changes only how a window's readings are split into rows, never which are
    /// taken: merged by key, the rows equal the reference, whatever the batching.
    @Test(arguments: 0..<60)
    func idleCloseOnlySplitsRowsAndIsIndependentOfBatching(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x51_7CC1 &+ 3)
        let windows = [tenSeconds, oneMinute]
        let stream = WindowAggregatorPropertyTests.generate(&rng)
        let all = WindowAggregatorPropertyTests.readings(stream, fleet: fleet)
        var ref = ReferenceAggregator(windows: windows.count)
        ref.replay(stream, fleet: fleet, windows: windows, lateness: 5_000)

        func run(batch: ClosedRange<Int>) -> [Rollup] {
            let agg = WindowAggregator(windows: windows, allowedLatenessMs: 5_000, idleCloseMs: 2_000, registry: fleet.registry)
            var rows: [Rollup] = []
            var pos = 0
            var batchRng = SplitMix64(seed: UInt64(seed))
            while pos < all.count {
                let end = min(all.count, pos + batchRng.int(batch))
                all[pos..<end].withUnsafeBufferPointer { agg.add($0) }
                rows += agg.takeClosed()
                pos = end
            }
            agg.closeAll()
            #expect(agg.tooLateCount == ref.tooLate)
            #expect(agg.lateByWindow == ref.lateByWindow)
            return rows + agg.takeClosed()
        }
        let rows = run(batch: 1...3)
        #expect(rows == run(batch: 50...500), "rows depend on batching")
        var merged: [RollupID: (count: Int64, sum: Double)] = [:]
        for r in rows {
            let id = RollupID(window: r.window.name, start: r.startMs, key: r.key)
            merged[id, default: (0, 0)].count += r.stats.count
            merged[id, default: (0, 0)].sum += r.stats.sum
        }
        #expect(Set(merged.keys) == Set(ref.groups.keys))
        for (id, xs) in ref.groups {
            #expect(merged[id]?.count == Int64(xs.count), "\(id)")
            #expect(nearlyEqual(merged[id]?.sum ?? .nan, xs.map(\.value).reduce(0, +)), "\(id)")
        }
    }
}

@Suite struct IdleCloseChunkTests {
    @Test func aFleetGoingQuietTogetherHandsItsRollupsOutInChunksInTheSameOrder() {
        func run(chunk: Int) -> (chunks: [[Rollup]], rest: [Rollup]) {
            let fleet = Fleet()
            let agg = WindowAggregator(
                windows: [WindowSize(parsing: "10s")!], allowedLatenessMs: 5_000, idleCloseMs: 30_000, registry: fleet.registry)
            var chunks: [[Rollup]] = []
            agg.closedChunk = chunk
            agg.onClosedChunk = { chunks.append(agg.takeClosed()) }
            var batch: [Reading] = []
            for d in fleet.deviceIDs.indices {
                for (m, s) in fleet.series[d].enumerated() {
                    batch.append(Reading(series: s, device: fleet.deviceIDs[d], eventTimeMs: IdleCloseTests.t0 + 1_000,
                                         value: Double(m), seq: Reading.noSeq, isFirstInMessage: m == 0,
                                         arrivalMs: IdleCloseTests.t0 + 1_000))
                }
            }
            batch.withUnsafeBufferPointer { agg.add($0) }
            agg.advanceIngestClock(to: IdleCloseTests.t0 + 40_000)
            return (chunks, agg.takeClosed())
        }
        let whole = run(chunk: .max)
        let chunked = run(chunk: 2)
        #expect(whole.chunks.isEmpty && whole.rest.count == Fleet.devices.count * Fleet.metrics.count)
        #expect(chunked.chunks.count == Fleet.devices.count && chunked.chunks.allSatisfy { $0.count == Fleet.metrics.count })
        #expect(chunked.chunks.flatMap { $0 } + chunked.rest == whole.rest)
    }
}
