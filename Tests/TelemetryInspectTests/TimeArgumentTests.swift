import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct TimeArgumentTests {
    let now = ms("2026-11-24T06:00:00.000Z")

    @Test func acceptsRFC3339WithOffset() throws {
        #expect(try TimeArgument.parse("2026-11-24T13:00:00+07:00", now: now) == ms("2026-11-24T06:00:00Z"))
    }

    @Test func acceptsDateAsUTCMidnight() throws {
        #expect(try TimeArgument.parse("2026-11-24", now: now) == ms("2026-11-24T00:00:00Z"))
    }

    @Test func acceptsNow() throws {
        #expect(try TimeArgument.parse("now", now: now) == now)
    }

    @Test(arguments: [
        ("-1h", 3_600_000), ("-30m", 1_800_000), ("now-1h", 3_600_000), ("-1h30m", 5_400_000),
        ("-2d", 172_800_000), ("-10s", 10_000), ("-1w", 604_800_000),
    ] as [(String, Int64)])
    func acceptsTimeBeforeNow(text: String, before: Int64) throws {
        #expect(try TimeArgument.parse(text, now: now) == now - before)
    }

    @Test(arguments: [
        "", "yesterday", "1h", "-", "-h", "-1x", "-1h30", "now+1h", "2026-13-01", "2026-11-24T25:00:00Z",
        "2026-11-24T06:00", "-99999999999999999999d",
    ])
    func rejectsWhatItCannotRead(text: String) {
        #expect(throws: InspectError.invalidTime(option: "--from", text: text)) {
            try TimeArgument.parse(text, now: now, option: "--from")
        }
    }

    @Test func errorMessageSaysWhatIsExpected() {
        let message = InspectError.invalidTime(option: "--to", text: "soon").description
        #expect(message.contains("--to 'soon'"))
        #expect(message.contains("RFC 3339"))
        #expect(message.contains("-1h"))
    }

    @Test func rangeRejectsFromNotBeforeTo() {
        #expect(throws: InspectError.emptyTimeRange(from: 5, to: 5)) { try TimeRange(from: 5, to: 5) }
    }

    @Test func rangeIsInclusiveFromExclusiveTo() throws {
        let range = try TimeRange(from: 10, to: 20)
        #expect(range.contains(10))
        #expect(range.contains(19))
        #expect(!range.contains(20))
        #expect(!range.contains(9))
    }
}
