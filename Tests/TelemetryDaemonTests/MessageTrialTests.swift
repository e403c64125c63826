import Testing
import TelemetryCore
@testable import TelemetryDaemon

@Suite struct MessageTrialTests {
    let arrival = UTCTimestamp.parse("2026-11-24T06:00:00Z")!

    func trial(_ topic: String, _ payload: String) -> MessageTrial {
        MessageTrial(topic: topic, payload: Array(payload.utf8), arrivalMs: arrival, configuration: DaemonConfiguration())
    }

    @Test func aGoodMessageBecomesItsReadings() {
        let t = trial("vn/hanoi/aq-hanoi-001/telemetry", #"{"pm25":35.2,"temp":28.5,"ts":"2026-11-24T05:59:58Z","seq":7}"#)
        let outcome = t.run()
        guard case .readings(let readings) = outcome else {
            Issue.record("rejected: \(outcome)")
            return
        }
        #expect(readings.map(\.metric) == ["pm25", "temp"])
        #expect(readings.allSatisfy { $0.site == "hanoi" && $0.device == "aq-hanoi-001" && $0.seq == 7 })
        #expect(readings.first?.eventTimeMs == UTCTimestamp.parse("2026-11-24T05:59:58Z"))
        let report = t.report(outcome)
        #expect(report.contains(
            "reading site=hanoi device=aq-hanoi-001 metric=pm25 value=35.2 time=2026-11-24T05:59:58.000Z seq=7"))
    }

    @Test func withoutTsTheEventTimeIsTheArrivalTime() {
        guard case .readings(let readings) = trial("vn/hanoi/aq-hanoi-001/telemetry", #"{"pm25":1}"#).run() else {
            Issue.record("rejected")
            return
        }
        #expect(readings.map(\.eventTimeMs) == [arrival])
        #expect(readings.first?.seq == nil)
    }

    @Test func aBadPayloadIsItsDeadLetterReason() {
        let t = trial("vn/hanoi/aq-hanoi-001/telemetry", "{oops")
        #expect(t.run() == .rejected(.badJSON))
        #expect(t.report(t.run()).last == "dead letter: bad_json")
    }

    @Test func aTopicNoTemplateMatchesSaysSo() {
        let t = trial("nowhere", "{}")
        #expect(t.run() == .rejected(.noTemplate))
        #expect(t.report(t.run()).first == "template: none matches 'nowhere'")
    }

    @Test func aFutureTimeIsJudgedAgainstTheArrivalTimeGiven() {
        #expect(trial("vn/hanoi/aq-hanoi-001/telemetry", #"{"pm25":1,"ts":"2026-11-25T06:00:00Z"}"#).run() == .rejected(.tooFarFuture))
    }
}
