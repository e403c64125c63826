import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport

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
        #expect(throws: RollupReadError.rollupsDirectoryMissing(dataDirectory: dir.path)) {
            try dir.directory.windows()
        }
        #expect(RollupReadError.rollupsDirectoryMissing(dataDirectory: "/d").description.contains("--data-dir /d"))
    }

    @Test func filesOutsideTheRangeAreSkipped() throws {
        let dir = try makeQueryFixture()
        let files = try dir.directory.files(
            window: WindowSize(parsing: "1m")!, from: ms("2026-11-24T06:00:00Z"), to: ms("2026-11-24T07:00:00Z"))
        #expect(files.map { $0.path.lastTwo } == ["2026-11-24/06.jsonl", "2026-11-24/06.csv"])
    }
}

/// Last two path components, for readable expectations.
private extension String {
    var lastTwo: String { split(separator: "/").suffix(2).joined(separator: "/") }
}

