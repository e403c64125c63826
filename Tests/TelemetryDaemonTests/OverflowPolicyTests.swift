import Foundation
import Logging
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

@Suite struct OverflowPolicyTests {
    func pipeline(_ policy: OverflowPolicy, dataDir: String) throws -> IngestPipeline {
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dataDir)
        c.ringCapacity = 8
        c.overflowPolicy = policy
        return try IngestPipeline(configuration: c, mode: .replay, logger: Logger(label: "test"))
    }

    /// One-reading message `i` of a single series, a second apart.
    func ingest(_ producer: IngestProducer, _ i: Int) -> Bool {
        let topic = Array("vn/hanoi/d1/telemetry".utf8)
        let payload = Array("{\"ts\":\(1_795_500_000_000 + Int64(i) * 1_000),\"pm25\":\(i)}".utf8)
        return topic.withUnsafeBytes { t in payload.withUnsafeBytes { p in
            producer.ingest(topic: t, payload: p, arrivalMs: 1_795_500_000_000 + Int64(i) * 1_000)
        } }
    }

    @Test func dropNewestDropsAndCountsWhatDoesNotFit() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let p = try pipeline(.dropNewest, dataDir: dir.path)
        let producer = p.makeProducer()
        // The aggregator is not running yet, so the ring fills up.
        let results = (0..<20).map { ingest(producer, $0) }
        #expect(results.filter { $0 }.count == 8)
        p.start()
        let status = await p.finish(.endOfInput)
        #expect(status.dropped == 12)
        #expect(status.readings == 8)
        #expect(status.accepted == 8)
    }

    @Test func blockWaitsForRoomAndLosesNothing() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let p = try pipeline(.block, dataDir: dir.path)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            let producer = p.makeProducer()
            for i in 0..<200 { _ = ingest(producer, i) }
            done.signal()
        }
        thread.start()
        // With no aggregator the producer must be stuck waiting for room.
        #expect(done.wait(timeout: .now() + .milliseconds(300)) == .timedOut)
        p.start()
        #expect(done.wait(timeout: .now() + .seconds(20)) == .success)
        let status = await p.finish(.endOfInput)
        #expect(status.dropped == 0)
        #expect(status.blocked > 0)
        #expect(status.accepted == 200)
        let oneMinute = try RollupFiles.read(dir.path).rows.filter { $0.window == "1m" }
        #expect(oneMinute.map(\.count).reduce(0, +) == 200)
    }
}

@Suite struct DeadLetterOverflowTests {
    @Test func deadLettersDroppedForLackOfBufferAreCountedInStatus() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dir.path)
        let p = try IngestPipeline(configuration: c, mode: .replay, logger: Logger(label: "test"), deadLetterBufferBytes: 1_000)
        let producer = p.makeProducer()
        // The aggregator is not running, so nothing flushes the buffer: most of these are dropped.
        let topic = Array("vn/hanoi/d1/telemetry".utf8), payload = Array("{not json".utf8)
        for i in 0..<50 {
            topic.withUnsafeBytes { t in payload.withUnsafeBytes { b in
                _ = producer.ingest(topic: t, payload: b, arrivalMs: 1_795_500_000_000 + Int64(i))
            } }
        }
        p.start()
        let status = await p.finish(.endOfInput)
        let written = try String(contentsOfFile: dir.path + "/deadletter/2026-11-24.jsonl", encoding: .utf8)
            .split(separator: "\n").count
        #expect(status.deadLetters == 50)
        #expect(status.deadLettersDropped > 0)
        #expect(written + status.deadLettersDropped == 50)
        let json = try String(contentsOfFile: dir.path + "/status.json", encoding: .utf8)
        #expect(json.contains("\"dead_letters_dropped\" : \(status.deadLettersDropped)"), "\(json)")
    }
}
