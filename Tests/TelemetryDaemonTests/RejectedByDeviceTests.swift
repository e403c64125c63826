import Foundation
import Logging
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// Rejected messages counted against the registered device whose topic they carry
/// (`PipelineCounters.rejectedByDevice()`), in a replay and live (through the log's gate).
@Suite struct RejectedByDeviceTests {
    static let t0: Int64 = 1_795_500_000_000

    func ingest(_ producer: IngestProducer, _ topic: String, _ payload: String, at i: Int64) {
        Array(topic.utf8).withUnsafeBytes { t in Array(payload.utf8).withUnsafeBytes { p in
            _ = producer.ingest(topic: t, payload: p, arrivalMs: Self.t0 + i * 1_000)
        } }
    }

    @Test(arguments: [PipelineMode.replay, .live])
    func aRejectedMessageCountsForItsRegisteredDeviceOnly(mode: PipelineMode) async throws {
        let dir = TemporaryDirectory("rejected-\(mode.rawValue)")
        defer { dir.remove() }
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dir.path)
        let pipeline = try IngestPipeline(configuration: c, mode: mode, logger: Logger(label: "test"))
        pipeline.start()
        if mode == .live { try await pipeline.recover() }
        let producer = pipeline.makeProducer()
        ingest(producer, "vn/hanoi/d1/telemetry", "{\"pm25\":1}", at: 0)
        ingest(producer, "vn/hanoi/d1/telemetry", "{not json", at: 1)  // bad_json
        ingest(producer, "vn/hanoi/d1/pm25", "twelve", at: 2)  // bad_number
        ingest(producer, "vn/hanoi/d1/telemetry", "{\"ts\":\(Self.t0 + 3_600_000),\"pm25\":1}", at: 3)  // too_far_future
        ingest(producer, "vn/hanoi/d2/telemetry", "{not json", at: 4)  // d2 has never been accepted
        ingest(producer, "nowhere/hanoi/d1", "{\"pm25\":1}", at: 5)  // no_template
        let d1 = try #require(pipeline.registry.deviceID(site: "hanoi", device: "d1"))
        #expect(pipeline.counters.rejectedByDevice() == [d1: 3])
        #expect(pipeline.registry.deviceID(site: "hanoi", device: "d2") == nil)
        let status = await pipeline.finish(.endOfInput)
        #expect(status.deadLetters == 5)
    }
}
