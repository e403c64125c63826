import AsyncAlgorithms
import Logging
import ServiceLifecycle

/// Keeps systemd informed while the daemon runs: `WATCHDOG=1` at half of `WatchdogSec` while
/// the pipeline's aggregator thread is turning, `STATUS=` with the message rate every five
/// ticks, and `STOPPING=1` as soon as graceful shutdown begins (the group shuts it down
/// before the clients and the pipeline). `READY=1` is sent by `BrokerIngestService` once
/// every client is subscribed.
///
/// Threading: `Sendable`; `run()` is one task of the group.
struct SystemdReporter: Service {
    let pipeline: IngestPipeline
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async {
        let step: Duration = notifier.watchdogInterval.map { min($0, .seconds(1)) } ?? .seconds(1)
        var last = pipeline.status
        var ticks = 0
        for await _ in AsyncTimerSequence(interval: step, clock: .continuous).cancelOnGracefulShutdown() {
            if notifier.watchdogInterval != nil, pipeline.isHealthy() { notifier.watchdog() }
            ticks += 1
            guard ticks % 5 == 0 else { continue }
            let now = pipeline.status
            let seconds = Double(now.updatedMs - last.updatedMs) / 1000
            guard seconds > 0 else { continue }
            let rate = Double(now.received - last.received) / seconds
            notifier.status("\(Int(rate)) msg/s, \(now.received) messages, \(now.rollupsWritten) rollups, \(now.deadLetters) dead letters")
            last = now
        }
        logger.notice("stopping: draining the pipeline and checkpointing open windows")
        notifier.stopping()
    }
}
