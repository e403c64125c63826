import Foundation
import Logging
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// `wal.enabled: false`: `telemetryd run` without the write-ahead log. Nothing is logged, a
/// stop still carries the open windows over a restart, a restored checkpoint is never
/// restored twice, and an old log (a run that had it on) is replayed before it is deleted.
@Suite struct WriteAheadLogOffTests {
    static let t: Int64 = 1_795_500_000_000

    func configuration(_ dir: String, wal: Bool) -> DaemonConfiguration {
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dir)
        c.walEnabled = wal
        c.windows = [WindowSize(parsing: "1m")!]
        return c
    }

    /// One message of device d1: `{"ts":t+offset,"pm25":value}`.
    func ingest(_ producer: IngestProducer, _ offset: Int64, _ value: Double) {
        let topic = Array("vn/hanoi/d1/telemetry".utf8), payload = Array("{\"ts\":\(Self.t + offset),\"pm25\":\(value)}".utf8)
        topic.withUnsafeBytes { tp in
            payload.withUnsafeBytes { pp in _ = producer.ingest(topic: tp, payload: pp, arrivalMs: Self.t + offset) }
        }
    }

    /// A live pipeline on `dir`: started, recovered, fed `messages`, then ended as `end` says.
    func run(_ dir: String, wal: Bool, _ messages: [(Int64, Double)], end: PipelineEnd,
             afterRecovery: () -> Void = {}) async throws {
        let pipeline = try IngestPipeline(configuration: configuration(dir, wal: wal), mode: .live, logger: Logger(label: "test"))
        pipeline.start()
        try await pipeline.recover()
        afterRecovery()
        let producer = pipeline.makeProducer()
        for (offset, value) in messages { ingest(producer, offset, value) }
        await pipeline.finish(end)
    }

    func walSegments(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/wal")) ?? []).filter { $0.hasSuffix(".wal") }
    }

    @Test func withTheLogOffNothingIsWrittenToTheLog() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try await run(dir.path, wal: false, [(0, 1.5), (1_000, 2.5)], end: .stop)
        #expect(walSegments(dir.path).isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/state/checkpoint.json"))
    }

    @Test func withTheLogOffAStopStillCarriesOpenWindowsOverARestart() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try await run(dir.path, wal: false, [(0, 1.5), (1_000, 2.5)], end: .stop)
        try await run(dir.path, wal: false, [(2_000, 3.5)], end: .endOfInput)
        let rows = try RollupFiles.read(dir.path).rows
        #expect(rows.map(\.count) == [3])
        #expect(rows.first?.values["sum"] == 7.5)
    }

    @Test func withTheLogOffARestoredCheckpointIsGoneOnceTheRunHasStarted() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try await run(dir.path, wal: false, [(0, 1.5)], end: .stop)
        var presentAfterRecovery = true
        try await run(dir.path, wal: false, [], end: .stop) {
            presentAfterRecovery = FileManager.default.fileExists(atPath: dir.path + "/state/checkpoint.json")
        }
        // A crash at that point must not restore the windows again: they may be written since.
        #expect(!presentAfterRecovery)
    }

    @Test func turningTheLogOffReplaysTheOldLogBeforeDeletingIt() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // What a run with the log on leaves when killed: logged messages, no checkpoint yet.
        let log = try WriteAheadLog(directory: dir.path + "/wal", nextLSN: 1)
        for (offset, value) in [(0, 1.5), (1_000, 2.5)] as [(Int64, Double)] {
            let topic = Array("vn/hanoi/d1/telemetry".utf8), payload = Array("{\"ts\":\(Self.t + offset),\"pm25\":\(value)}".utf8)
            _ = try topic.withUnsafeBytes { tp in
                try payload.withUnsafeBytes { pp in
                    try log.append(arrivalMs: Self.t + offset, connection: 1, mid: 1, topic: tp, payload: pp)
                }
            }
        }
        try log.sync()
        log.close()
        #expect(!walSegments(dir.path).isEmpty)
        try await run(dir.path, wal: false, [(2_000, 3.5)], end: .endOfInput)
        #expect(walSegments(dir.path).isEmpty)
        let rows = try RollupFiles.read(dir.path).rows
        #expect(rows.map(\.count) == [3])
    }

    @Test func withTheLogOnAStopLeavesTheLogInPlace() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try await run(dir.path, wal: true, [(0, 1.5), (1_000, 2.5)], end: .stop)
        #expect(!walSegments(dir.path).isEmpty)
    }
}
