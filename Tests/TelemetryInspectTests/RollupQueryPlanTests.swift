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
