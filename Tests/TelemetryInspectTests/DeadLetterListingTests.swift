import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct DeadLetterListingTests {
    func letter(_ time: String, _ topic: String, _ reason: RejectReason, _ payload: [UInt8]) -> DeadLetter {
        DeadLetter(receivedMs: UTCTimestamp.parse(time)!, topic: Array(topic.utf8), reason: reason, payload: payload)
    }

    func fixture() throws -> TemporaryDataDirectory {
        let dir = try TemporaryDataDirectory()
        let letters = [
            letter("2026-11-24T06:00:00Z", "vn/hanoi/aq-1/telemetry", .badJSON, Array("{oops".utf8)),
            letter("2026-11-24T06:10:00Z", "vn/hcmc/pm-1/telemetry", .noTemplate, Array("{}".utf8)),
            letter("2026-11-24T06:20:00Z", "vn/hanoi/aq-2/telemetry", .badJSON, Array("]".utf8)),
            letter("2026-11-24T06:30:00Z", "other/x", .notUTF8, [0xFF, 0x00, 0x1B]),
        ]
        try dir.write("deadletter/2026-11-24.jsonl", letters.map { String(decoding: $0.jsonLine(), as: UTF8.self) }.joined())
        return dir
    }

    func topics(_ filter: DeadLetterFilter, limit: Int? = nil) throws -> [String] {
        let dir = try fixture()
        return try DeadLetterListing(filter: filter, limit: limit).run(dataDirectory: dir.path).entries.map {
            String(decoding: $0.letter.topic, as: UTF8.self)
        }
    }

    @Test func aReasonFilterKeepsThatReason() throws {
        #expect(try topics(DeadLetterFilter(reasons: [.badJSON])) == ["vn/hanoi/aq-1/telemetry", "vn/hanoi/aq-2/telemetry"])
    }

    @Test func reasonsAreParsedWithWhatIsExpected() throws {
        #expect(try DeadLetterFilter.reasons(["bad_json,no-template"]) == [.badJSON, .noTemplate])
        #expect(throws: InspectError.invalidReason("bad_jsn")) { try DeadLetterFilter.reasons(["bad_jsn"]) }
        #expect(InspectError.invalidReason("x").description.contains("expected one of no_template, bad_tag"))
    }

    @Test func aTopicFilterTakesMQTTWildcards() throws {
        #expect(try topics(DeadLetterFilter(topics: ["vn/hanoi/#"])).count == 2)
        #expect(try topics(DeadLetterFilter(topics: ["vn/+/pm-1/telemetry"])) == ["vn/hcmc/pm-1/telemetry"])
        #expect(try topics(DeadLetterFilter(topics: ["other/x"])) == ["other/x"])
        #expect(try topics(DeadLetterFilter(topics: ["other"])).isEmpty)
        #expect(DeadLetterFilter.topic("vn", matches: "vn/#"))
    }

    @Test func aTimeRangeIsOnTheReceiptTime() throws {
        let range = try TimeRange(from: UTCTimestamp.parse("2026-11-24T06:10:00Z"), to: UTCTimestamp.parse("2026-11-24T06:30:00Z"))
        #expect(try topics(DeadLetterFilter(range: range)) == ["vn/hcmc/pm-1/telemetry", "vn/hanoi/aq-2/telemetry"])
    }

    @Test func theLimitKeepsTheNewest() throws {
        #expect(try topics(DeadLetterFilter(), limit: 1) == ["other/x"])
    }

    @Test func theSummaryCountsEachReasonMostFirst() throws {
        let dir = try fixture()
        let result = try DeadLetterListing().run(dataDirectory: dir.path)
        #expect(result.byReason.map(\.reason) == [.badJSON, .noTemplate, .notUTF8])
        #expect(result.byReason.map(\.count) == [2, 1, 1])
        let table = DeadLetterFormatter.summary(result, format: .table)
        #expect(table.last?.hasPrefix("total ") == true && table.last?.hasSuffix(" 4") == true)
    }

    @Test func jsonPrintsTheFileLinesAndCSVTheWholePayload() throws {
        let dir = try fixture()
        let result = try DeadLetterListing(filter: DeadLetterFilter(reasons: [.notUTF8])).run(dataDirectory: dir.path)
        #expect(DeadLetterFormatter.render(result, format: .json) == [#"{"received":"2026-11-24T06:30:00.000Z","topic":"other/x","reason":"not_utf8","payload_base64":"/wAb"}"#])
        #expect(DeadLetterFormatter.render(result, format: .csv)[1] == "2026-11-24T06:30:00.000Z,other/x,not_utf8,3,false,,/wAb")
    }

    @Test func aTablePayloadIsSafe() throws {
        let dir = try fixture()
        let lines = DeadLetterFormatter.render(try DeadLetterListing().run(dataDirectory: dir.path), format: .table)
        #expect(lines.contains { $0.contains("not_utf8") && $0.hasSuffix("  hex:ff001b") })
        #expect(!lines.joined().unicodeScalars.contains { TerminalSafeText.isUnsafe($0) })
    }

    @Test func controlCharactersInATextPayloadAreEscaped() {
        #expect(PayloadPreview.text(Array("a\u{1B}[2Jb".utf8), totalBytes: 6) == "a\\u{1B}[2Jb")
    }

    @Test func aLongPayloadIsCutWithItsLengthInBytes() {
        let text = PayloadPreview.text([UInt8](repeating: 0x61, count: 500), totalBytes: 500, maxCharacters: 10)
        #expect(text == "aaaaaaaaaa… (500 bytes)")
    }

    @Test func aPayloadTheDaemonTruncatedSaysHowLongItWas() {
        #expect(PayloadPreview.text(Array("abc".utf8), totalBytes: 9000) == "abc… (9000 bytes)")
    }
}
