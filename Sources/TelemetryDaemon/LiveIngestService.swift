package import Logging
import ServiceLifecycle
import TelemetryCore
import TelemetryMQTT
import UnixSignals

/// `telemetryd run`: the daemon proper, as a swift-service-lifecycle `ServiceGroup` of four
/// services. The group starts them together and, on SIGTERM/SIGINT (or when one of them
/// fails), shuts them down gracefully one at a time in the reverse of this order, each after
/// the one before has returned:
///
/// 1. `PipelineService` — the aggregator thread; last to stop: drains the ring, writes
///    the closed rollups, checkpoints open windows and seq state, writes status.
/// 2. `BrokerIngestService` — the MQTT clients; `READY=1` once all are subscribed; stops them.
/// 3. `SystemdReporter` — `WATCHDOG=1`, `STATUS=`; `STOPPING=1` first thing on shutdown.
/// 4. `ConfigurationReloader` — SIGHUP.
/// 5. `MetricsServer` — Prometheus `/metrics`, only with `metrics.listen`; first to stop.
///
/// Exits with an error only when the broker could not be reached at start-up
/// (`ServiceError.brokerUnavailable`); the open windows are checkpointed all the same.
///
/// Threading: `Sendable`; `run()` is one async task. Each MQTT client's network thread owns
/// one producer (`NetworkThreadProducer`); the pipeline's aggregator thread does the rest.
package final class LiveIngestService: Sendable {
    package let configuration: DaemonConfiguration
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let logLevel: LogLevelControl
    private let reload: @Sendable () async throws -> DaemonConfiguration

    package init(
        configuration: DaemonConfiguration, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
        logLevel: LogLevelControl, reload: @escaping @Sendable () async throws -> DaemonConfiguration
    ) {
        self.configuration = configuration
        self.logger = logger
        self.notifier = notifier
        self.logLevel = logLevel
        self.reload = reload
    }

    /// Why `run()` ended other than by a stop signal.
    package enum ServiceError: Error, CustomStringConvertible {
        case brokerUnavailable(String)
        package var description: String { switch self { case .brokerUnavailable(let r): return "broker unavailable: \(r)" } }
    }

    package func run() async throws {
        // Trap the signals before anything else: one that arrives while start-up is still
        // repairing files is then a clean stop (or a reload), not the default action (death).
        let stopSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let reloadSignals = await UnixSignalsSequence(trapping: .sighup)
        let clientConfigurations = try BrokerConnectionPlan.clientConfigurations(configuration.broker)
        let windowNames = configuration.windows.map(\.name)
        var metrics: DaemonMetrics?
        if configuration.metricsListen != nil {
            let connections: [(index: Int, broker: String)] = clientConfigurations.enumerated().map { index, client in
                (index, "\(client.host):\(client.resolvedPort)")
            }
            metrics = DaemonMetrics(windows: windowNames, connections: connections)
        }
        var rollupWriteObserver: (@Sendable (Duration) -> Void)?
        if let metrics { rollupWriteObserver = { metrics.recordRollupWrite($0) } }
        let pipeline = try IngestPipeline(
            configuration: configuration, mode: .live, logger: logger, rollupWriteObserver: rollupWriteObserver)
        // Recovery comes first: the log's tail is replayed before any new message is taken.
        pipeline.start()
        do {
            try await pipeline.recover()
        } catch {
            await pipeline.finish(.stop)
            throw error
        }
        let broker = BrokerIngestService(
            clientConfigurations: clientConfigurations, pipeline: pipeline, notifier: notifier, logger: logger)
        let reloader = ConfigurationReloader(
            signals: reloadSignals, running: configuration, pipeline: pipeline, notifier: notifier,
            logLevel: logLevel, logger: logger, reload: reload, onLogLevel: { broker.setLogLevel($0) })
        let stopGroup = ServiceGroupConfiguration.ServiceConfiguration.TerminationBehavior.gracefullyShutdownGroup
        func service(_ s: any Service, _ name: String) -> ServiceGroupConfiguration.ServiceConfiguration {
            .init(service: s, successTerminationBehavior: stopGroup, failureTerminationBehavior: stopGroup, serviceName: name)
        }
        var services = [
            service(PipelineService(pipeline: pipeline, logger: logger), "pipeline"),
            service(broker, "mqtt"),
            service(SystemdReporter(pipeline: pipeline, notifier: notifier, logger: logger), "systemd"),
            service(reloader, "reload"),
        ]
        if let metrics, let address = configuration.metricsListen {
            let connections = broker.connections
            let server = MetricsServer(
                address: address,
                exposition: { metrics.exposition(DaemonMetrics.Sample(pipeline: pipeline, connections: connections, nowMs: WallClock.nowMs())) },
                onListening: { [logger] in logger.notice("serving Prometheus metrics on http://\(address)/metrics (no authentication)") })
            services.append(service(server, "metrics"))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            // SIGTERM/SIGINT: say which, then the group's graceful shutdown (remembered by the
            // group if it comes before `run()` has started).
            tasks.addTask { [logger] in
                for await signal in stopSignals {
                    logger.notice("\(signal) received: stopping")
                    await group.triggerGracefulShutdown()
                }
            }
            do {
                try await group.run()
            } catch {
                tasks.cancelAll()
                throw error
            }
            tasks.cancelAll()
        }
    }
}
