import Foundation
package import Logging
package import TelemetryCore
package import TelemetryStorage

/// The whole path from decoded message to rollup file, as one object the rest of the daemon
/// holds: producers (one per ingest thread) push readings into the lock-free ring; one
/// aggregator thread (`AggregatorLoop`) drains it and writes the files.
///
/// Lifecycle: `init` (repairs torn lines left by a crash) → `start()` → producers `ingest` →
/// `await finish(_:)` once no producer will push again. `finish` drains the ring completely
/// before returning, so every reading pushed is aggregated exactly once.
///
/// Threading: `Sendable`. Producers are per thread (`makeProducer()`); the aggregator's state
/// lives only on its thread, which this type starts; what crosses threads is the ring
/// (lock-free), the counters (atomics), the registry and dead-letter sink (mutexes), and
/// `AggregatorControl`.
package final class IngestPipeline: Sendable {
    package let configuration: DaemonConfiguration
    package let mode: PipelineMode
    package let registry: SeriesRegistry
    package let counters = PipelineCounters()
    let ring: ReadingRing
    let deadLetters: DeadLetterSink
    private let logger: Logger
    private let control: AggregatorControl
    private let startedMs: Int64
    /// Wall clock in epoch ms; replaceable for tests.
    private let clock: @Sendable () -> Int64

    package init(
        configuration: DaemonConfiguration, mode: PipelineMode, logger: Logger,
        deadLetterBufferBytes: Int = 16 << 20,
        clock: @escaping @Sendable () -> Int64 = { WallClock.nowMs() }
    ) throws(StorageError) {
        self.configuration = configuration
        self.mode = mode
        self.logger = logger
        self.clock = clock
        registry = SeriesRegistry(limit: configuration.maxSeries)
        ring = ReadingRing(minimumCapacity: configuration.ringCapacity)
        deadLetters = DeadLetterSink(directory: configuration.dataDirectory, maxBufferedBytes: deadLetterBufferBytes)
        startedMs = clock()
        control = AggregatorControl(
            retentionDays: configuration.retentionDays,
            status: PipelineStatus(mode: mode.rawValue, startedMs: startedMs, updatedMs: startedMs))
        try FileSystem.makeDirectory(configuration.dataDirectory.root)
        let repaired = try RollupFileSink.repairTornLines(in: configuration.dataDirectory)
        if repaired > 0 { logger.warning("cut a torn last line from \(repaired) file(s) left by an earlier crash") }
    }

    /// A producer for one ingest thread.
    package func makeProducer() -> IngestProducer {
        IngestProducer(
            decoder: MessageDecoder(templates: configuration.templates, registry: registry, limits: configuration.limits),
            ring: ring, policy: configuration.overflowPolicy, counters: counters, deadLetters: deadLetters,
            isStopping: { [control] in control.isStopping })
    }

    /// Starts the aggregator thread.
    package func start() {
        let context = AggregatorLoop.Context(
            configuration: configuration, mode: mode, ring: ring, registry: registry, counters: counters,
            deadLetters: deadLetters, control: control, logger: logger, clock: clock, startedMs: startedMs)
        let thread = Thread { [control] in
            AggregatorLoop(context).run()
            control.exited.complete()
        }
        thread.name = "telemetryd-aggregator"
        thread.start()
    }

    /// Ends the run once the ring is drained (see `PipelineEnd`) and returns the final
    /// status. Suspends, without blocking a thread, until the aggregator thread has finished.
    @discardableResult
    package func finish(_ end: PipelineEnd) async -> PipelineStatus {
        control.requestEnd(end)
        await control.exited.wait()
        return status
    }

    /// Whether the aggregator thread has turned within `withinMs` (false once it stopped).
    package func isHealthy(withinMs: Int64 = 10_000) -> Bool {
        clock() - control.heartbeatMs <= withinMs
    }

    /// Changes retention from now on (SIGHUP reload).
    package func setRetention(days: Int) { control.retentionDays = days }

    /// Asks the aggregator thread to close and reopen its files (SIGHUP, log rotation).
    package func reopenFiles() { control.requestReopen() }

    /// The latest status snapshot (refreshed by the aggregator thread).
    package var status: PipelineStatus { control.status }
}
