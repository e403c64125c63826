import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct RollupTailTests {
    let oneMinute = WindowSize(parsing: "1m")!

    /// Rows at 04:58, 04:59 (hour 04), 05:00–05:02 (hour 05), 06:00 (hour 06, partial line after).
    func makeTailFixture() throws -> TemporaryDataDirectory {
        let dir = try TemporaryDataDirectory()
        try dir.write("rollups/1m/2026-11-24/04.jsonl",
            jsonLine(makeRow(start: "2026-11-24T04:58:00Z", mean: 1)) + jsonLine(makeRow(start: "2026-11-24T04:59:00Z", mean: 2)))
        try dir.write("rollups/1m/2026-11-24/05.csv", csvHeaderLine
            + csvLine(makeRow(start: "2026-11-24T05:00:00Z", mean: 3)) + csvLine(makeRow(start: "2026-11-24T05:01:00Z", mean: 4))
            + csvLine(makeRow(start: "2026-11-24T05:02:00Z", mean: 5)))
        try dir.write("rollups/1m/2026-11-24/06.jsonl",
            jsonLine(makeRow(start: "2026-11-24T06:00:00Z", mean: 6)) + jsonLine(makeRow(start: "2026-11-24T06:01:00Z", mean: 7)).dropLast())
        return dir
    }

    @Test func newestNComeFromSeveralHourFilesInOrder() throws {
        let dir = try makeTailFixture()
        var tail = RollupTail(directory: dir.directory, window: oneMinute)
        #expect(try tail.newest(5).map(\.mean) == [2, 3, 4, 5, 6])
    }

    @Test func newestNIsAllRowsWhenThereAreFewer() throws {
        let dir = try makeTailFixture()
        var tail = RollupTail(directory: dir.directory, window: oneMinute)
        #expect(try tail.newest(100).map(\.mean) == [1, 2, 3, 4, 5, 6])
    }

    @Test func newestZeroIsEmpty() throws {
        let dir = try makeTailFixture()
        var tail = RollupTail(directory: dir.directory, window: oneMinute)
        #expect(try tail.newest(0).isEmpty)
    }

    @Test func pollReturnsOnlyNewlyCompletedLinesAndNewFiles() throws {
        let dir = try makeTailFixture()
        var tail = RollupTail(directory: dir.directory, window: oneMinute)
        _ = try tail.newest(2)
        #expect(try tail.poll().isEmpty)

        try dir.append("rollups/1m/2026-11-24/06.jsonl", "\n")  // completes the 06:01 line
        #expect(try tail.poll().map(\.mean) == [7])

        try dir.append("rollups/1m/2026-11-24/05.csv", csvLine(makeRow(start: "2026-11-24T05:59:00Z", mean: 8)))
        try dir.write("rollups/1m/2026-11-24/07.jsonl", jsonLine(makeRow(start: "2026-11-24T07:00:00Z", mean: 9)))
        try dir.write("rollups/1m/2026-11-25/00.jsonl", jsonLine(makeRow(start: "2026-11-25T00:00:00Z", mean: 10)))
        #expect(try tail.poll().map(\.mean) == [8, 9, 10])

        // Hour 05 is no longer followed now that the newest file is the next day's 00.
        try dir.append("rollups/1m/2026-11-24/05.csv", csvLine(makeRow(start: "2026-11-24T05:58:00Z", mean: 11)))
        #expect(try tail.poll().isEmpty)
    }

    @Test func pollCountsMalformedLinesOnce() throws {
        let dir = try makeTailFixture()
        var tail = RollupTail(directory: dir.directory, window: oneMinute)
        _ = try tail.newest(1)
        try dir.append("rollups/1m/2026-11-24/06.jsonl", "\nbad line\n")
        #expect(try tail.poll().map(\.mean) == [7])
        #expect(tail.malformed.count == 1)
        _ = try tail.poll()
        #expect(tail.malformed.count == 1)
    }

    @Test func tailAppliesTagFilters() throws {
        let dir = try makeTailFixture()
        try dir.append("rollups/1m/2026-11-24/04.jsonl", jsonLine(makeRow(start: "2026-11-24T04:59:00Z", site: "hcmc", mean: 11)))
        var tail = RollupTail(directory: dir.directory, window: oneMinute, filter: RollupFilter(sites: ["hcmc"]))
        #expect(try tail.newest(3).map(\.mean) == [11])
    }
}
