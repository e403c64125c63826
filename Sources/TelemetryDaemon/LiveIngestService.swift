import Foundation
import Synchronization
import Logging
import TelemetryCore
import TelemetryMQTT
import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

/// `telemetryd run`: the daemon proper. Subscribes through libmosquitto, feeds the pipeline,
/// talks to systemd, and stops without loss.
///
/// Lifecycle: restore the checkpoint → connect and subscribe (exit non-zero if the broker
/// can never be reached at start-up, unless configured to keep trying) → `READY=1` → run
/// until SIGTERM/SIGINT → `STOPPING=1`, stop every client (after `stop()` returns no
/// callback runs, and everything a callback accepted is in the ring) → drain the ring,
/// checkpoint open windows and seq state, write status → return.
/// SIGHUP re-reads the configuration: log level and retention change at once and files are
/// reopened; everything else is reported as needing a restart.
///
/// Threading: `run()` is one async task; each MQTT client's network thread owns one
/// `IngestProducer` (so producers never share a decoder); the pipeline's aggregator thread
/// does the rest.
public final class LiveIngestService: Sendable {
    public let configuration: DaemonConfiguration
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let logLevel: LogLevelControl
    private let reload: @Sendable () async throws -> DaemonConfiguration

    public init(
        configuration: DaemonConfiguration, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
        logLevel: LogLevelControl, reload: @escaping @Sendable () async throws -> DaemonConfiguration
    ) {
        self.configuration = configuration
        self.logger = logger
        self.notifier = notifier
        self.logLevel = logLevel
        self.reload = reload
    }

    /// The producer of one MQTT client, called only on that client's network thread.
    private final class ProducerOnNetworkThread: @unchecked Sendable {
        let producer: IngestProducer
        init(_ producer: IngestProducer) { self.producer = producer }
    }

    public func run() async throws {
        let signals = SignalWatcher([SIGTERM, SIGINT, SIGHUP])
        let clientConfigurations = try BrokerConnectionPlan.clientConfigurations(configuration.broker)
        let pipeline = try IngestPipeline(configuration: configuration, mode: "run", logger: logger, checkpointing: true)
        pipeline.start()
        var clients: [MQTTClient] = []
        do {
            for config in clientConfigurations {
                let box = ProducerOnNetworkThread(pipeline.makeProducer())
                let client = try MQTTClient(configuration: config, logger: logger) { message in
                    box.producer.ingest(topic: message.topic, payload: message.payload, arrivalMs: Self.nowMs())
                }
                clients.append(client)
            }
        } catch {
            pipeline.finish(closingAllWindows: false)
            throw error
        }

        // Connect, then watch connection events; READY=1 once every client is subscribed.
        let subscribed = SubscribedCount(total: clients.count)
        await withTaskGroup(of: Void.self) { group in
            for client in clients {
                group.addTask { [logger, notifier] in
                    do {
                        try await client.connect()
                    } catch {
                        logger.critical("cannot connect to the broker: \(error)")
                        subscribed.fail("\(error)")
                        return
                    }
                    for await event in client.events {
                        if case .subscribed(let results) = event, results.allSatisfy({ $0.granted != nil }),
                           subscribed.increment() {
                            let filters = clientConfigurations.flatMap(\.subscriptions).map(\.topicFilter)
                            notifier.ready(status: "subscribed to \(filters.joined(separator: ", "))")
                            logger.info("ready: subscribed to \(filters.joined(separator: ", "))")
                        }
                    }
                }
            }
            group.addTask { [self] in await keepSystemdInformed(pipeline: pipeline, subscribed: subscribed) }
            group.addTask { [self] in
                for await number in signals.signals {
                    if number == SIGHUP {
                        await reloadConfiguration(pipeline: pipeline)
                        continue
                    }
                    logger.notice("\(SignalWatcher.name(number)) received: stopping")
                    break
                }
                subscribed.fail(nil)
            }
            // Wait for a stop signal or a start-up failure, then stop everything else.
            while !subscribed.isFinished { try? await Task.sleep(for: .milliseconds(50)) }
            notifier.stopping()
            for client in clients { await client.stop() }
            group.cancelAll()
            signals.cancel()
        }
        let status = pipeline.finish(closingAllWindows: false)
        logger.info("stopped: \(status.received) messages, \(status.readings) readings, \(status.rollupsWritten) rollups written, \(status.deadLetters) dead letters")
        if let reason = subscribed.failure { throw ServiceError.brokerUnavailable(reason) }
    }

    /// Why `run()` ended other than by a stop signal.
    public enum ServiceError: Error, CustomStringConvertible {
        case brokerUnavailable(String)
        public var description: String { switch self { case .brokerUnavailable(let r): return "broker unavailable: \(r)" } }
    }

    private func keepSystemdInformed(pipeline: IngestPipeline, subscribed: SubscribedCount) async {
        var last = pipeline.status
        var ticks = 0
        let step: Duration = notifier.watchdogInterval.map { min($0, .seconds(1)) } ?? .seconds(1)
        while !Task.isCancelled {
            try? await Task.sleep(for: step)
            if notifier.watchdogInterval != nil, pipeline.isHealthy() { notifier.watchdog() }
            ticks += 1
            if ticks % 5 == 0 {
                let now = pipeline.status
                let seconds = Double(now.updatedMs - last.updatedMs) / 1000
                if seconds > 0 {
                    let rate = Double(now.received - last.received) / seconds
                    notifier.status("\(Int(rate)) msg/s, \(now.received) messages, \(now.rollupsWritten) rollups, \(now.deadLetters) dead letters")
                    last = now
                }
            }
        }
    }

    private func reloadConfiguration(pipeline: IngestPipeline) async {
        notifier.reloading()
        defer { notifier.notify("READY=1") }
        let fresh: DaemonConfiguration
        do { fresh = try await reload() } catch {
            logger.error("SIGHUP: configuration not reloaded, keeping the running one: \(error)")
            return
        }
        if let level = Logger.Level(rawValue: fresh.logLevel) { logLevel.level = level }
        pipeline.setRetention(days: fresh.retentionDays)
        pipeline.reopenFiles()
        var needRestart: [String] = []
        let c = configuration
        if fresh.dataDirectory != c.dataDirectory { needRestart.append("data_dir") }
        if fresh.templates != c.templates { needRestart.append("templates") }
        if fresh.windows != c.windows || fresh.allowedLatenessMs != c.allowedLatenessMs { needRestart.append("windows/lateness") }
        if fresh.ringCapacity != c.ringCapacity || fresh.overflowPolicy != c.overflowPolicy { needRestart.append("ring") }
        if fresh.limits != c.limits || fresh.maxSeries != c.maxSeries { needRestart.append("limits") }
        if fresh.fileFormat != c.fileFormat { needRestart.append("files.format") }
        if fresh.broker != c.broker { needRestart.append("mqtt") }
        let changed = needRestart.isEmpty
            ? "nothing else changed" : "changed but need a restart: \(needRestart.joined(separator: ", "))"
        logger.notice("SIGHUP: reloaded log.level=\(fresh.logLevel) retention.days=\(fresh.retentionDays), files reopened; \(changed)")
    }

    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// Start-up and stop bookkeeping shared by the service's tasks.
///
/// Threading: `Sendable`; state behind a `Mutex`.
final class SubscribedCount: Sendable {
    private struct State {
        var subscribed = 0
        var finished = false
        var failure: String?
    }
    private let state = Mutex(State())
    let total: Int

    init(total: Int) { self.total = total }

    /// Counts one subscribed client; true exactly when the last one arrives.
    func increment() -> Bool {
        state.withLock { s in
            s.subscribed += 1
            return s.subscribed == total
        }
    }

    /// Ends the run: `reason` nil for a requested stop, else why start-up failed.
    func fail(_ reason: String?) {
        state.withLock { s in
            if !s.finished, let reason { s.failure = reason }
            s.finished = true
        }
    }

    var isFinished: Bool { state.withLock { $0.finished } }
    var failure: String? { state.withLock { $0.failure } }
}
