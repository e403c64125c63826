import Testing
import TelemetryCore
@testable import TelemetryInspect

/// A data directory with 1m rollups in hours 05 (jsonl), 06 (jsonl + csv) and 07 (jsonl), and
/// an empty 1h window.
func makeQueryFixture() throws -> TemporaryDataDirectory {
    let dir = try TemporaryDataDirectory()
    try dir.write("rollups/1m/2026-11-24/05.jsonl",
        jsonLine(makeRow(start: "2026-11-24T05:59:00Z", metric: "pm25", mean: 1))
        + jsonLine(makeRow(start: "2026-11-24T05:58:00Z", site: "hcmc", device: "aq-hcm-001", mean: 2)))
    try dir.write("rollups/1m/2026-11-24/06.jsonl",
        jsonLine(makeRow(start: "2026-11-24T06:01:00Z", metric: "pm25", mean: 3))
        + jsonLine(makeRow(start: "2026-11-24T06:00:00Z", metric: "power.voltage", mean: 230))
        + jsonLine(makeRow(start: "2026-11-24T06:00:00Z", site: "Hà Nội", device: "aq-hn-002", mean: 4)))
    try dir.write("rollups/1m/2026-11-24/06.csv",
        csvHeaderLine + csvLine(makeRow(start: "2026-11-24T06:00:00Z", metric: "pm25", mean: 5)))
    try dir.write("rollups/1m/2026-11-24/07.jsonl",
        jsonLine(makeRow(start: "2026-11-24T07:00:00Z", metric: "pm25", mean: 6)))
    try dir.write("rollups/1h/.keep", "")
    try dir.write("rollups/10s/2026-11-24/06.jsonl.tmp", "junk\n")
    try dir.write("rollups/not-a-window/x.jsonl", "junk\n")
    return dir
}

@Suite struct RollupDirectoryTests {
    @Test func windowsAreListedSmallestFirstIgnoringOtherNames() throws {
        let dir = try makeQueryFixture()
        #expect(try dir.directory.windows().map(\.name) == ["10s", "1m", "1h"])
    }

    @Test func defaultWindowIsTheSmallestPresent() throws {
        let dir = try makeQueryFixture()
        #expect(try dir.directory.resolveWindow(nil)?.name == "10s")
    }

    @Test func windowNotPresentListsTheWindowsThatAre() throws {
        let dir = try makeQueryFixture()
        let fiveMinutes = try #require(WindowSize(parsing: "5m"))
        do {
            _ = try dir.directory.resolveWindow(fiveMinutes)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("windows present: 10s, 1m, 1h"))
        }
    }

    @Test func missingRollupsDirectoryTellsWhatToCheck() throws {
        let dir = try TemporaryDataDirectory()
        #expect(throws: InspectError.rollupsDirectoryMissing(dataDirectory: dir.path)) {
            try dir.directory.windows()
        }
        #expect(InspectError.rollupsDirectoryMissing(dataDirectory: "/d").description.contains("--data-dir /d"))
    }

    @Test func filesOutsideTheRangeAreSkipped() throws {
        let dir = try makeQueryFixture()
        let range = try TimeRange(from: ms("2026-11-24T06:00:00Z"), to: ms("2026-11-24T07:00:00Z"))
        let files = try dir.directory.files(window: WindowSize(parsing: "1m")!, range: range)
        #expect(files.map { $0.path.lastTwo } == ["2026-11-24/06.jsonl", "2026-11-24/06.csv"])
    }
}

/// Last two path components, for readable expectations.
private extension String {
    var lastTwo: String { split(separator: "/").suffix(2).joined(separator: "/") }
}

@Suite struct RollupQueryTests {
    let oneMinute = WindowSize(parsing: "1m")!

    @Test func rowsAreSortedByStartThenSiteDeviceMetricAcrossJSONAndCSV() throws {
        let dir = try makeQueryFixture()
        let rows = try RollupQuery(window: oneMinute).run(in: dir.directory).rows
        #expect(rows.map(\.mean) == [2, 1, 4, 5, 230, 3, 6])
    }

    @Test func siteDeviceAndMetricFiltersAreExact() throws {
        let dir = try makeQueryFixture()
        let q1 = RollupQuery(window: oneMinute, filter: RollupFilter(sites: ["hanoi"], metrics: ["pm25"]))
        #expect(try q1.run(in: dir.directory).rows.map(\.mean) == [1, 5, 3, 6])
        let q2 = RollupQuery(window: oneMinute, filter: RollupFilter(metrics: ["power"]))
        #expect(try q2.run(in: dir.directory).rows.isEmpty)
        let q3 = RollupQuery(window: oneMinute, filter: RollupFilter(devices: ["aq-hn-002", "aq-hcm-001"]))
        #expect(try q3.run(in: dir.directory).rows.map(\.mean) == [2, 4])
    }

    @Test func commaListsAndRepeatsCombine() {
        #expect(RollupFilter.values(["pm25,temp", "power.voltage", ""]) == ["pm25", "temp", "power.voltage"])
    }

    @Test func fromIsInclusiveAndToExclusiveOnWindowStart() throws {
        let dir = try makeQueryFixture()
        let range = try TimeRange(from: ms("2026-11-24T05:59:00Z"), to: ms("2026-11-24T06:01:00Z"))
        let rows = try RollupQuery(window: oneMinute, filter: RollupFilter(range: range)).run(in: dir.directory).rows
        #expect(rows.map(\.mean) == [1, 4, 5, 230])
    }

    @Test func malformedLinesInSkippedHoursAreNotRead() throws {
        let dir = try makeQueryFixture()
        try dir.append("rollups/1m/2026-11-24/05.jsonl", "garbage\n")
        let range = try TimeRange(from: ms("2026-11-24T06:00:00Z"), to: nil)
        let inRange = try RollupQuery(window: oneMinute, filter: RollupFilter(range: range)).run(in: dir.directory)
        #expect(inRange.malformed.count == 0)
        let all = try RollupQuery(window: oneMinute).run(in: dir.directory)
        #expect(all.malformed.count == 1)
    }

    @Test func limitKeepsTheEarliestRows() throws {
        let dir = try makeQueryFixture()
        let rows = try RollupQuery(window: oneMinute, limit: 3).run(in: dir.directory).rows
        #expect(rows.map(\.mean) == [2, 1, 4])
    }

    @Test func rowsOfAnotherWindowInTheDirectoryAreNotSelected() throws {
        let dir = try makeQueryFixture()
        try dir.append("rollups/1m/2026-11-24/07.jsonl", jsonLine(makeRow(window: "10s", start: "2026-11-24T07:00:10Z")))
        let rows = try RollupQuery(window: oneMinute, filter: RollupFilter(range: try TimeRange(from: ms("2026-11-24T07:00:00Z"), to: nil)))
            .run(in: dir.directory).rows
        #expect(rows.map(\.mean) == [6])
    }
}

@Suite struct SeriesCatalogTests {
    @Test func seriesHaveCountAndFirstAndLastStart() throws {
        let dir = try makeQueryFixture()
        let result = try SeriesCatalog.collect(in: dir.directory)
        let hanoiPM25 = try #require(result.series.first {
            $0.series == SeriesKey(site: "hanoi", device: "aq-hanoi-001", metric: "pm25")
        })
        #expect(hanoiPM25.window.name == "1m")
        #expect(hanoiPM25.rollups == 4)
        #expect(hanoiPM25.firstStart == ms("2026-11-24T05:59:00Z"))
        #expect(hanoiPM25.lastStart == ms("2026-11-24T07:00:00Z"))
        #expect(result.series.map(\.series.site) == ["Hà Nội", "hanoi", "hanoi", "hcmc"])
    }

    @Test func seriesFilterByMetric() throws {
        let dir = try makeQueryFixture()
        let result = try SeriesCatalog.collect(in: dir.directory, filter: RollupFilter(metrics: ["power.voltage"]))
        #expect(result.series.count == 1)
        #expect(result.series.first?.rollups == 1)
    }
}
