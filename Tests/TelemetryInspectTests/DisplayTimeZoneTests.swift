import Testing
import TelemetryCore
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct DisplayTimeZoneTests {
    let sixUTC = UTCTimestamp.parse("2026-11-24T06:00:00Z")!

    @Test func utcIsTheDefault() throws {
        #expect(DisplayTimeZone.utc.tableTime(sixUTC) == "2026-11-24 06:00:00")
        #expect(try DisplayTimeZone(parsing: "UTC").isUTC)
        #expect(DisplayTimeZone.utc.header("start") == "start (UTC)")
    }

    @Test func aFixedOffsetShiftsTheWallTime() throws {
        #expect(try DisplayTimeZone(parsing: "+07:00").tableTime(sixUTC) == "2026-11-24 13:00:00")
        #expect(try DisplayTimeZone(parsing: "-0530").tableTime(sixUTC) == "2026-11-24 00:30:00")
        #expect(try DisplayTimeZone(parsing: "+07").tableTime(sixUTC) == "2026-11-24 13:00:00")
    }

    @Test func anIANAZoneUsesTheTimeZoneDatabase() throws {
        let zone = try DisplayTimeZone(parsing: "Asia/Ho_Chi_Minh")
        #expect(zone.tableTime(UTCTimestamp.parse("2026-11-24T17:00:00Z")!) == "2026-11-25 00:00:00")
        #expect(zone.header("start") == "start (Asia/Ho_Chi_Minh)")
    }

    @Test func daylightSavingIsFollowed() throws {
        let zone = try DisplayTimeZone(parsing: "Europe/Berlin")
        #expect(zone.tableTime(UTCTimestamp.parse("2026-01-15T12:00:00Z")!) == "2026-01-15 13:00:00")
        #expect(zone.tableTime(UTCTimestamp.parse("2026-07-15T12:00:00Z")!) == "2026-07-15 14:00:00")
    }

    @Test(arguments: ["Mars/Olympus", "+25:00", "7", "+07:0", "ICT", ""])
    func aBadZoneSaysWhatIsExpected(_ text: String) {
        #expect(throws: InspectError.invalidTimeZone(text)) { try DisplayTimeZone(parsing: text) }
        #expect(InspectError.invalidTimeZone(text).description.contains("expected UTC, an offset like +07:00"))
    }

    @Test func tablesShowStartsInTheZoneAndSaySo() throws {
        let style = RollupTable.Style(timeZone: try DisplayTimeZone(parsing: "Asia/Ho_Chi_Minh"))
        let lines = RollupRowFormatter.render([makeRow()], format: .table, style: style)
        #expect(lines[0].hasPrefix("start (Asia/Ho_Chi_Minh)"))
        #expect(lines[2].hasPrefix("2026-11-24 13:00:00"))
    }

    @Test func jsonAndCSVStayUTC() throws {
        let style = RollupTable.Style(timeZone: try DisplayTimeZone(parsing: "+07:00"))
        #expect(RollupRowFormatter.render([makeRow()], format: .json, style: style)[0].contains("2026-11-24T06:00:00.000Z"))
        #expect(RollupRowFormatter.render([makeRow()], format: .csv, style: style)[1].contains("2026-11-24T06:00:00.000Z"))
    }
}
