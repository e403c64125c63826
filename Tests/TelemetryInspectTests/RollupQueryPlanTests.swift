import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct RollupQueryPlanTests {
    func fixture() throws -> TemporaryDataDirectory {
        let dir = try TemporaryDataDirectory()
        try dir.write("rollups/10s/2026-11-24/06.jsonl", jsonLine(makeRow(window: "10s", mean: 1)))
        try dir.write("rollups/1m/2026-11-24/06.jsonl", jsonLine(makeRow(window: "1m", mean: 2)))
        try dir.write("rollups/1h/2026-11-24/06.jsonl", jsonLine(makeRow(window: "1h", mean: 3)))
        return dir
    }

    @Test func withoutAWindowEveryWindowIsReadSmallestFirst() throws {
        let dir = try fixture()
        let plan = try #require(try RollupQueryPlan.make(requested: nil, in: dir.directory))
        #expect(plan.windows.map(\.name) == ["10s", "1m", "1h"])
        #expect(plan.spansWindows)
        let rows = try plan.run(filter: RollupFilter(), in: dir.directory).rows
        #expect(rows.map(\.mean) == [1, 2, 3])
    }

    @Test func aWindowAskedForIsTheOnlyOneRead() throws {
        let dir = try fixture()
        let plan = try #require(try RollupQueryPlan.make(requested: WindowSize(parsing: "1m"), in: dir.directory))
        #expect(!plan.spansWindows)
        #expect(try plan.run(filter: RollupFilter(), in: dir.directory).rows.map(\.mean) == [2])
    }

    @Test func theLimitAppliesPerWindow() throws {
        let dir = try fixture()
        try dir.append("rollups/1m/2026-11-24/06.jsonl", jsonLine(makeRow(window: "1m", start: "2026-11-24T06:01:00.000Z", mean: 4)))
        let plan = try #require(try RollupQueryPlan.make(requested: nil, in: dir.directory))
        #expect(try plan.run(filter: RollupFilter(), limit: 1, in: dir.directory).rows.map(\.mean) == [1, 2, 3])
    }

    @Test func aTableOfSeveralWindowsHasAWindowColumn() {
        let rows = [makeRow(window: "10s"), makeRow(window: "1h")]
        let lines = RollupRowFormatter.render(rows, format: .table, style: RollupTable.Style(showsWindow: true))
        #expect(lines[0].hasPrefix("start (UTC) "))
        #expect(lines[0].contains("  window  site  "))
        #expect(lines[2].contains(" 10s "))
        #expect(lines[3].contains(" 1h "))
    }

    @Test func noRollupsYetIsNoPlan() throws {
        let dir = try TemporaryDataDirectory()
        try dir.write("rollups/.keep", "")
        #expect(try RollupQueryPlan.make(requested: nil, in: dir.directory) == nil)
    }
}

@Suite struct MergedWindowQueryTests {
    /// Four hours of 1h rows for one series, on two days' boundary under +07:00.
    func hours(_ starts: [String]) throws -> (TemporaryDataDirectory, [RollupRow]) {
        let dir = try TemporaryDataDirectory()
        var rows: [RollupRow] = []
        var written: Set<String> = []
        for (i, start) in starts.enumerated() {
            let row = makeRow(window: "1h", start: start, count: Int64(3 + i), mean: 10 + Double(i))
            rows.append(row)
            let hour = start.dropFirst(11).prefix(2), day = start.prefix(10)
            let path = "rollups/1h/\(day)/\(hour).jsonl"
            if written.insert(path).inserted { _ = try dir.write(path, jsonLine(row)) } else { try dir.append(path, jsonLine(row)) }
        }
        return (dir, rows)
    }

    @Test func aDayNotStoredIsMergedFromTheStoredHoursAndSaysSo() throws {
        let (dir, rows) = try hours(["2026-11-24T06:00:00.000Z", "2026-11-24T07:00:00.000Z", "2026-11-25T01:00:00.000Z"])
        let plan = try #require(try RollupQueryPlan.make(requested: WindowSize(parsing: "1d"), in: dir.directory))
        #expect(plan.derivation?.source.name == "1h")
        #expect(plan.notes.count == 1 && plan.notes[0].contains("computed from the stored 1h rollups by merging"))
        let result = try plan.run(filter: RollupFilter(), in: dir.directory).rows
        #expect(result.map(\.start) == [UTCTimestamp.parse("2026-11-24T00:00:00.000Z")!, UTCTimestamp.parse("2026-11-25T00:00:00.000Z")!])
        let day = try #require(RollupMerge.merged(rows[0..<2], window: WindowSize(parsing: "1d")!, start: result[0].start))
        #expect(result[0] == day)
        #expect(result[0].count == rows[0].count + rows[1].count)
        #expect(result[1].count == rows[2].count)
    }

    @Test func anAlignmentPutsTheDayStartAtItsLocalMidnight() throws {
        let (dir, _) = try hours(["2026-11-24T16:00:00.000Z", "2026-11-24T17:00:00.000Z", "2026-11-25T01:00:00.000Z"])
        let plan = try #require(try RollupQueryPlan.make(
            requested: WindowSize(parsing: "1d"), alignment: WindowAlignment(parsing: "+07:00")!, in: dir.directory))
        let result = try plan.run(filter: RollupFilter(), in: dir.directory).rows
        #expect(result.map(\.start) == [UTCTimestamp.parse("2026-11-23T17:00:00.000Z")!, UTCTimestamp.parse("2026-11-24T17:00:00.000Z")!])
        #expect(result.map(\.count) == [3, 4 + 5])
    }

    @Test func aRangeEndingInsideADayStillMergesTheWholeDay() throws {
        let (dir, rows) = try hours(["2026-11-24T06:00:00.000Z", "2026-11-24T13:00:00.000Z"])
        let plan = try #require(try RollupQueryPlan.make(requested: WindowSize(parsing: "1d"), in: dir.directory))
        // --to is on the window start: the day starting at 00:00 is in, all of it.
        let range = try TimeRange(from: nil, to: UTCTimestamp.parse("2026-11-24T12:00:00.000Z"))
        let result = try plan.run(filter: RollupFilter(range: range), in: dir.directory).rows
        #expect(result.map(\.count) == [rows[0].count + rows[1].count])
    }

    @Test func aWindowNoStoredOneDividesIsStillAnError() throws {
        let (dir, _) = try hours(["2026-11-24T06:00:00.000Z"])
        #expect(throws: RollupReadError.self) {
            _ = try RollupQueryPlan.make(requested: WindowSize(parsing: "10m"), in: dir.directory)
        }
    }
}
