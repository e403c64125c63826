import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

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
