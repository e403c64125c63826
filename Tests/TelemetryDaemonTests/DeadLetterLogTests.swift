import Foundation
import Logging
import Synchronization
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// What a logger wrote (level and message), for asserting on log lines.
final class RecordedLog: Sendable {
    struct Line: Sendable { let level: Logger.Level; let message: String }
    private let recorded = Mutex<[Line]>([])

    var logger: Logger { Logger(label: "test.deadletters") { _ in Handler(log: self) } }
    var lines: [Line] { recorded.withLock { $0 } }
    var deadLetterLines: [Line] { lines.filter { $0.message.contains("dead letter") } }

    private struct Handler: LogHandler {
        let log: RecordedLog
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.recorded.withLock { $0.append(Line(level: event.level, message: event.message.description)) }
        }
    }
}

@Suite struct DeadLetterLogTests {
    func note(_ log: DeadLetterLog, _ reason: RejectReason, topic: String) {
        Array(topic.utf8).withUnsafeBytes { log.note(reason, topic: $0) }
    }

    @Test func aBurstLogsTheFirstFewInFullThenOneSummaryLineByReason() {
        let recorded = RecordedLog(), clock = ManualClock(1_000_000)
        let log = DeadLetterLog(logger: recorded.logger, intervalMs: 10_000, fullPerInterval: 5, clock: { clock.nowMs })
        for i in 0..<100 { note(log, i % 4 == 0 ? .noTemplate : .badJSON, topic: "vn/hanoi/d\(i)/telemetry") }
        #expect(recorded.lines.count == 5)
        clock.advance(by: 10_000)
        log.tick()
        let lines = recorded.lines.map(\.message)
        #expect(lines.count == 6)
        #expect(lines[0] == "dead letter (no_template): topic 'vn/hanoi/d0/telemetry'")
        #expect(lines[1] == "dead letter (bad_json): topic 'vn/hanoi/d1/telemetry'")
        #expect(lines[5] == "95 more dead letters in the last 10s, by reason: bad_json 72, no_template 23")
    }

    @Test func deadLettersAreLoggedAtNoticeSoJournalctlShowsThemAtTheDefaultLevel() {
        let recorded = RecordedLog(), clock = ManualClock(0)
        let log = DeadLetterLog(logger: recorded.logger, fullPerInterval: 1, clock: { clock.nowMs })
        note(log, .badJSON, topic: "a")
        note(log, .badJSON, topic: "b")
        log.flush()
        #expect(recorded.lines.count == 2)
        #expect(recorded.lines.allSatisfy { $0.level == .notice })
    }

    @Test func aNewIntervalLogsInFullAgain() {
        let recorded = RecordedLog(), clock = ManualClock(0)
        let log = DeadLetterLog(logger: recorded.logger, intervalMs: 10_000, fullPerInterval: 2, clock: { clock.nowMs })
        for _ in 0..<3 { note(log, .tooLarge, topic: "t") }
        clock.advance(by: 10_001)
        note(log, .tooLarge, topic: "u")
        #expect(recorded.lines.map(\.message) == [
            "dead letter (too_large): topic 't'", "dead letter (too_large): topic 't'",
            "1 more dead letter in the last 10s, by reason: too_large 1", "dead letter (too_large): topic 'u'",
        ])
    }

    @Test func nothingSuppressedMeansNoSummaryLine() {
        let recorded = RecordedLog(), clock = ManualClock(0)
        let log = DeadLetterLog(logger: recorded.logger, clock: { clock.nowMs })
        note(log, .badJSON, topic: "t")
        clock.advance(by: 60_000)
        log.tick()
        log.flush()
        #expect(recorded.lines.count == 1)
    }

    @Test func aTopicIsLoggedWithoutControlCharactersOnOneLine() {
        let recorded = RecordedLog(), clock = ManualClock(0)
        let log = DeadLetterLog(logger: recorded.logger, clock: { clock.nowMs })
        note(log, .noTemplate, topic: "vn/\u{1B}[31mred\n\u{7}/x\\y")
        let line = try! #require(recorded.lines.first).message
        #expect(line == "dead letter (no_template): topic 'vn/\\u{1b}[31mred\\u{a}\\u{7}/x\\\\y'")
    }

    @Test func invalidUTF8AndOverlongTopicsAreMadeSafe() {
        #expect([UInt8]([0x76, 0xFF, 0x6E]).withUnsafeBytes { LogSafeText.sanitize($0) } == "v\u{FFFD}n")
        let long = String(repeating: "a", count: 500)
        #expect(LogSafeText.sanitize(long) == String(repeating: "a", count: LogSafeText.maxScalars) + "…")
    }

    @Test func aLiveBurstOfBadMessagesLogsABoundedNumberOfLinesNamingReasonAndTopic() async throws {
        let dir = TemporaryDirectory("deadletterlog")
        defer { dir.remove() }
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dir.path)
        let recorded = RecordedLog()
        let pipeline = try IngestPipeline(configuration: c, mode: .live, logger: recorded.logger)
        pipeline.start()
        try await pipeline.recover()
        let producer = pipeline.makeProducer()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let began = ContinuousClock.now
        for i in 0..<500 {
            let (topic, payload) = i % 2 == 0 ? ("vn/hanoi/d\(i)/telemetry", "{not json") : ("elsewhere/\(i)", "{\"pm25\":1}")
            Array(topic.utf8).withUnsafeBytes { t in Array(payload.utf8).withUnsafeBytes { p in
                _ = producer.ingest(topic: t, payload: p, arrivalMs: now)
            } }
        }
        let status = await pipeline.finish(.stop)
        // The log's intervals are wall-clock ones: a loaded machine can stretch the burst over more than one.
        let intervals = Int((ContinuousClock.now - began) / .seconds(10)) + 1
        #expect(status.deadLetters == 500)
        let lines = recorded.deadLetterLines.map(\.message)
        let limit = DeadLetterLog(logger: recorded.logger, clock: { 0 }).fullPerInterval + 1
        #expect(lines.count <= limit * intervals, "\(lines)")
        #expect(lines.contains("dead letter (bad_json): topic 'vn/hanoi/d0/telemetry'"))
        #expect(lines.contains("dead letter (no_template): topic 'elsewhere/1'"))
        // Every dead letter is in a line of its own or counted by a summary, by its reason.
        var byReason = ["bad_json": 0, "no_template": 0]
        for line in lines {
            if line.hasPrefix("dead letter (bad_json)") { byReason["bad_json"]! += 1 }
            if line.hasPrefix("dead letter (no_template)") { byReason["no_template"]! += 1 }
            guard let counts = line.split(separator: "by reason: ").dropFirst().first else { continue }
            for part in counts.split(separator: ", ") {
                let words = part.split(separator: " ")
                if words.count == 2, let n = Int(words[1]) { byReason[String(words[0]), default: 0] += n }
            }
        }
        #expect(byReason == ["bad_json": 250, "no_template": 250], "\(lines)")
        #expect(try #require(lines.last).contains("more dead letters"), "the burst ends with a summary")
    }
}
