import Testing
@testable import TelemetryCore

/// `windows.align`: windows start at midnight of a fixed UTC offset; times stay UTC.
@Suite struct WindowAlignmentTests {
    static let vietnam = WindowAlignment(parsing: "+07:00")!
    static let day = WindowSize(parsing: "1d")!
    func t(_ text: String) -> Int64 { UTCTimestamp.parse(text)! }

    @Test func aDayWindowUnderPlusSevenStartsAtSeventeenHundredUTC() {
        let phase = Self.vietnam.phase(of: Self.day)
        #expect(Self.day.start(containing: t("2026-12-01T17:00:00Z"), phase: phase) == t("2026-12-01T17:00:00Z"))
        #expect(Self.day.start(containing: t("2026-12-02T16:59:59.999Z"), phase: phase) == t("2026-12-01T17:00:00Z"))
        #expect(Self.day.start(containing: t("2026-12-01T16:59:59Z"), phase: phase) == t("2026-11-30T17:00:00Z"))
    }

    @Test(arguments: ["10s", "1m", "1h"])
    func windowsTheOffsetIsAMultipleOfDoNotMove(name: String) {
        let size = WindowSize(parsing: name)!
        #expect(Self.vietnam.phase(of: size) == 0)
        let time = t("2026-12-01T05:17:23.456Z")
        #expect(size.start(containing: time, phase: Self.vietnam.phase(of: size)) == size.start(containing: time))
    }

    @Test func aHalfHourOffsetMovesHourWindowsByHalfAnHour() {
        let india = WindowAlignment(parsing: "+05:30")!
        let hour = WindowSize(parsing: "1h")!
        #expect(india.phase(of: hour) == 1_800_000)
        #expect(hour.start(containing: t("2026-12-01T05:10:00Z"), phase: india.phase(of: hour)) == t("2026-12-01T04:30:00Z"))
        #expect(Self.day.start(containing: t("2026-12-01T05:10:00Z"), phase: india.phase(of: Self.day)) == t("2026-11-30T18:30:00Z"))
    }

    @Test func aWestOffsetStartsTheDayAfterUTCMidnight() {
        let brazil = WindowAlignment(parsing: "-03:00")!
        #expect(Self.day.start(containing: t("2026-12-01T02:00:00Z"), phase: brazil.phase(of: Self.day)) == t("2026-11-30T03:00:00Z"))
    }

    @Test func utcAlignmentIsTheDefaultAndMovesNothing() {
        #expect(WindowAlignment.utc.phase(of: Self.day) == 0)
        #expect(WindowAlignment(parsing: "UTC") == .utc)
        #expect(WindowAlignment(parsing: "Z") == .utc)
        #expect(WindowAlignment(parsing: "+00:00") == .utc)
    }

    @Test(arguments: [("+07:00", 420), ("+0700", 420), ("+07", 420), ("-03:30", -210), ("+14:00", 840), ("-12:00", -720)])
    func offsetsParseToMinutesEastOfUTC(text: String, minutes: Int) {
        #expect(WindowAlignment(parsing: text)?.offsetMinutes == minutes)
    }

    @Test(arguments: ["07:00", "+7", "+07:60", "+15:00", "+07:00:00", "", "Asia/Ho_Chi_Minh", "+0a:00"])
    func anythingElseIsNotAnOffset(text: String) {
        #expect(WindowAlignment(parsing: text) == nil)
    }

    @Test func theNameIsSignedHoursAndMinutes() {
        #expect(Self.vietnam.name == "+07:00")
        #expect(WindowAlignment(parsing: "-0330")?.name == "-03:30")
        #expect(WindowAlignment.utc.name == "+00:00")
    }
}

/// The aggregator under `windows.align`, and its checkpoints.
@Suite struct AlignedAggregationTests {
    let fleet = Fleet()
    static let vietnam = WindowAlignment(parsing: "+07:00")!
    static let windows = ["1h", "1d"].map { WindowSize(parsing: $0)! }
    func t(_ text: String) -> Int64 { UTCTimestamp.parse(text)! }

    func reading(at time: Int64, _ value: Double) -> Reading {
        Reading(series: fleet.series[0][0], device: fleet.deviceIDs[0], eventTimeMs: time, value: value)
    }

    func aggregator(_ alignment: WindowAlignment, registry: SeriesRegistry? = nil) -> WindowAggregator {
        WindowAggregator(windows: Self.windows, allowedLatenessMs: 5_000, alignment: alignment, registry: registry ?? fleet.registry)
    }

    @Test func dayRollupsStartAtLocalMidnightAndHourRollupsOnTheHour() {
        let agg = aggregator(Self.vietnam)
        [reading(at: t("2026-12-01T16:30:00Z"), 1), reading(at: t("2026-12-01T17:30:00Z"), 2)]
            .withUnsafeBufferPointer { agg.add($0) }
        agg.closeAll()
        let rows = agg.takeClosed()
        #expect(rows.filter { $0.window.name == "1d" }.map(\.startMs).sorted() == [t("2026-11-30T17:00:00Z"), t("2026-12-01T17:00:00Z")])
        #expect(rows.filter { $0.window.name == "1h" }.map(\.startMs).sorted() == [t("2026-12-01T16:00:00Z"), t("2026-12-01T17:00:00Z")])
    }

    @Test func theCheckpointRecordsTheAlignment() throws {
        let agg = aggregator(Self.vietnam)
        #expect(agg.checkpoint().windowAlignment == "+07:00")
        let back = try AggregatorCheckpoint(json: agg.checkpoint().jsonBytes())
        #expect(back.windowAlignment == "+07:00")
    }

    /// Restored under another alignment, an open day window is written as it stands (its
    /// readings are not mixed into a day of the new alignment), while the hour window, which
    /// did not move, carries on.
    @Test func restoringUnderAnotherAlignmentWritesTheMovedWindowsAsTheyStand() {
        let a = aggregator(.utc)
        [reading(at: t("2026-12-01T10:00:00Z"), 1)].withUnsafeBufferPointer { a.add($0) }
        let checkpoint = a.checkpoint()
        #expect(checkpoint.windowAlignment == "+00:00")

        let other = Fleet()
        let b = aggregator(Self.vietnam, registry: other.registry)
        b.restore(checkpoint)
        let handedBack = b.takeClosed()
        #expect(handedBack.map(\.window.name) == ["1d"])
        #expect(handedBack.map(\.startMs) == [t("2026-12-01T00:00:00Z")])
        #expect(handedBack.map(\.stats.count) == [1])

        let next = Reading(series: other.series[0][0], device: other.deviceIDs[0],
                           eventTimeMs: t("2026-12-01T10:30:00Z"), value: 2)
        [next].withUnsafeBufferPointer { b.add($0) }
        b.closeAll()
        let rows = b.takeClosed()
        #expect(rows.filter { $0.window.name == "1h" }.map(\.stats.count) == [2])
        #expect(rows.filter { $0.window.name == "1d" }.map(\.startMs) == [t("2026-11-30T17:00:00Z")])
        #expect(rows.filter { $0.window.name == "1d" }.map(\.stats.count) == [1])
    }

    @Test func aCheckpointFromBeforeAlignmentRestoresAsUTC() throws {
        let a = aggregator(.utc)
        [reading(at: t("2026-12-01T10:00:00Z"), 1)].withUnsafeBufferPointer { a.add($0) }
        var old = a.checkpoint()
        old.windowAlignment = nil
        let other = Fleet()
        let b = aggregator(.utc, registry: other.registry)
        b.restore(try AggregatorCheckpoint(json: old.jsonBytes()))
        #expect(b.takeClosed().isEmpty)
        #expect(b.openWindowCount == 2)
    }
}
