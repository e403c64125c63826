import Logging
import ServiceLifecycle

/// The ingest pipeline as a service of the daemon's `ServiceGroup` (started, and recovered,
/// by `LiveIngestService` before the group runs): on graceful shutdown — which the group delivers to it last, once the MQTT
/// clients have stopped and no producer will push again — drains the ring, writes the
/// closed rollups, checkpoints the open windows and writes the final status.
///
/// Threading: `Sendable`; `run()` is one task of the group.
struct PipelineService: Service {
    let pipeline: IngestPipeline
    let logger: Logger

    func run() async {
        // Returns on graceful shutdown, throws on cancellation: either way, finish.
        try? await gracefulShutdown()
        let status = await pipeline.finish(.stop)
        logger.info(
            "stopped: \(status.received) messages, \(status.readings) readings, \(status.rollupsWritten) rollups written, \(status.deadLetters) dead letters")
    }
}
