import Testing
import TelemetryCore
@testable import TelemetryStorage

@Suite struct DeadLetterBuilderTests {
    static let t: Int64 = 1_795_500_000_000  // 2026-11-24T06:00:00Z

    @Test func aTooLateReadingBecomesTopicSiteDeviceAndAReadingPayload() {
        let letter = DeadLetter.tooLate(
            site: "hanoi", device: "aq-001", metric: "pm25", eventTimeMs: Self.t, value: 12, seq: 7,
            receivedMs: Self.t + 90_000)
        #expect(letter.reason == .tooLate)
        #expect(letter.receivedMs == Self.t + 90_000)
        #expect(String(decoding: letter.topic, as: UTF8.self) == "hanoi/aq-001")
        #expect(String(decoding: letter.payload, as: UTF8.self)
                == #"{"metric":"pm25","ts":"2026-11-24T06:00:00.000Z","value":12.0,"seq":7}"#)
    }

    @Test func aTooLateReadingWithoutSeqHasNoSeqMember() {
        let letter = DeadLetter.tooLate(
            site: "s", device: "d", metric: "power.voltage", eventTimeMs: Self.t, value: 1e-7, seq: nil, receivedMs: 0)
        #expect(String(decoding: letter.payload, as: UTF8.self)
                == #"{"metric":"power.voltage","ts":"2026-11-24T06:00:00.000Z","value":1e-07}"#)
    }

    @Test func theDeadLetterLineEscapesControlsInTheTopicAndPayload() {
        let letter = DeadLetter(
            receivedMs: 0, topic: Array("vn/\u{85}/d".utf8), reason: .badTag, payload: Array("a\u{2028}\u{1B}b".utf8))
        #expect(String(decoding: letter.jsonLine(), as: UTF8.self)
                == #"{"received":"1970-01-01T00:00:00.000Z","topic":"vn/\u0085/d","reason":"bad_tag","payload":"a\u2028\u001bb"}"#
                + "\n")
    }
}
