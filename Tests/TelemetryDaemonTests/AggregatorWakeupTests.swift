import Foundation
import Logging
import Synchronization
import Testing
@testable import TelemetryDaemon
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport

/// How the aggregator thread waits for readings (`RingDoorbell`), what its thread is called,
/// and how soon a live rollup reaches its file.
@Suite struct AggregatorWakeupTests {
    @Test func parkReturnsAtOnceWhenWorkIsAlreadyThere() {
        let doorbell = RingDoorbell()
        let started = ContinuousClock.now
        doorbell.park(timeoutMs: 30_000) { true }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aRingWakesAParkedConsumerBeforeItsTimeout() async {
        let doorbell = RingDoorbell()
        let elapsed = await offload { () -> Duration in
            let started = ContinuousClock.now
            let ringer = Thread {
                Thread.sleep(forTimeInterval: 0.05)
                doorbell.ring()
            }
            ringer.start()
            doorbell.park(timeoutMs: 30_000) { false }
            return ContinuousClock.now - started
        }
        #expect(elapsed < .seconds(10))
    }

    @Test func aPushBelowAQuarterOfTheRingDoesNotWakeTheConsumer() async {
        let doorbell = RingDoorbell()
        let elapsed = await offload { () -> Duration in
            let started = ContinuousClock.now
            let pusher = Thread {
                for _ in 0..<20 {
                    doorbell.pushed(inUse: 255, capacity: 1_024)
                    Thread.sleep(forTimeInterval: 0.005)
                }
            }
            pusher.start()
            doorbell.park(timeoutMs: 300) { false }
            return ContinuousClock.now - started
        }
        #expect(elapsed >= .milliseconds(250))
    }

    @Test func aPushThatFillsAQuarterOfTheRingWakesTheConsumer() async {
        let doorbell = RingDoorbell()
        let elapsed = await offload { () -> Duration in
            let started = ContinuousClock.now
            let pusher = Thread {
                Thread.sleep(forTimeInterval: 0.05)
                doorbell.pushed(inUse: 256, capacity: 1_024)
            }
            pusher.start()
            doorbell.park(timeoutMs: 30_000) { false }
            return ContinuousClock.now - started
        }
        #expect(elapsed < .seconds(10))
    }

    @Test func aReplayPushThatFillsAQuarterOfTheRingWakesTheConsumer() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dir.path)
        c.ringCapacity = 16
        let pipeline = try IngestPipeline(configuration: c, mode: .replay, logger: Logger(label: "test"))
        let doorbell = pipeline.doorbell
        // The test parks where the aggregator thread would (not started yet: nothing drains).
        let parked = await offload { () -> Duration in
            let started = ContinuousClock.now
            let pusher = Thread {
                Thread.sleep(forTimeInterval: 0.05)
                let producer = pipeline.makeProducer()
                let topic = Array("vn/hanoi/d1/telemetry".utf8)
                let payload = Array("{\"ts\":1795500000000,\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}".utf8)
                topic.withUnsafeBytes { tp in
                    payload.withUnsafeBytes { pp in _ = producer.ingest(topic: tp, payload: pp, arrivalMs: 1_795_500_000_000) }
                }
            }
            pusher.start()
            doorbell.park(timeoutMs: 30_000) { false }
            return ContinuousClock.now - started
        }
        pipeline.start()
        await pipeline.finish(.endOfInput)
        #expect(parked < .seconds(10))
    }

    @Test func threadNamesFitLinuxsLimit() {
        #expect(ThreadName.aggregator.utf8.count <= ThreadName.limit)
    }

    @Test func theAggregatorThreadCarriesItsName() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dir.path)
        let pipeline = try IngestPipeline(configuration: c, mode: .replay, logger: Logger(label: "test"))
        pipeline.start()
        var names: [String] = []
        for _ in 0..<100 where !names.contains(ThreadName.aggregator) {
            names = threadNames()
            if !names.contains(ThreadName.aggregator) { try await Task.sleep(for: .milliseconds(20)) }
        }
        await pipeline.finish(.endOfInput)
        #expect(names.contains(ThreadName.aggregator), "threads: \(names)")
    }

    @Test func aLiveRollupIsInItsFileWellBeforeTheNextFlush() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dir.path)
        c.windows = [WindowSize(parsing: "10s")!]
        c.allowedLatenessMs = 0
        c.idleCloseMs = nil
        let t: Int64 = 1_795_500_000_000
        // The pipeline's wall clock stands still but for the steps the test takes: a flush
        // (every second of it) can only come after the test moves it a second on.
        let clock = ManualClock(t)
        let pipeline = try IngestPipeline(
            configuration: c, mode: .live, logger: Logger(label: "test"), clock: { clock.nowMs })
        pipeline.start()
        try await pipeline.recover()
        let producer = pipeline.makeProducer()
        for (offset, value) in [(0, 1.5), (4_000, 2.5), (12_000, 3.5)] as [(Int64, Double)] {
            let topic = Array("vn/hanoi/d1/telemetry".utf8), payload = Array("{\"ts\":\(t + offset),\"pm25\":\(value)}".utf8)
            topic.withUnsafeBytes { tp in
                payload.withUnsafeBytes { pp in _ = producer.ingest(topic: tp, payload: pp, arrivalMs: t + offset) }
            }
        }
        // The first window [t, t+10s) closed with the third reading; a tenth of a second on,
        // far from a flush, it must be in its file.
        clock.advance(by: 100)
        var rows: [FileRollup] = []
        for _ in 0..<250 where rows.isEmpty {
            rows = (try? RollupFiles.read(dir.path).rows) ?? []
            if rows.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        await pipeline.finish(.stop)
        #expect(rows.map(\.count) == [2])
    }
}

/// A wall clock that moves only when told to.
final class ManualClock: Sendable {
    private let now: Mutex<Int64>
    init(_ ms: Int64) { now = Mutex(ms) }
    var nowMs: Int64 { now.withLock { $0 } }
    func advance(by ms: Int64) { now.withLock { $0 += ms } }
}

/// The names of this process's threads, from /proc/self/task/*/comm.
private func threadNames() -> [String] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { id in
        (try? String(contentsOfFile: "/proc/self/task/\(id)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
