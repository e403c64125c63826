import Logging
import ServiceLifecycle
import Synchronization
import TelemetryMQTT

/// The MQTT side of the daemon as a service of its `ServiceGroup`: one `MQTTClient` per
/// planned connection, each feeding its own producer from its network thread. Sends
/// `READY=1` once every client is subscribed; on graceful shutdown stops every client
/// (after `stop()` returns no callback runs, so everything accepted is in the ring).
///
/// A client that cannot connect at start-up (after `mqtt.connect_attempts`) ends the service
/// with `LiveIngestService.ServiceError.brokerUnavailable`, which shuts the group down
/// gracefully (the pipeline still checkpoints) and makes the daemon exit non-zero — unless
/// a shutdown was already under way, which is then no failure.
///
/// Threading: `Sendable`; `run()` is one task of the group, with one child task per client.
final class BrokerIngestService: Service, Sendable {
    let clientConfigurations: [MQTTClientConfiguration]
    let pipeline: IngestPipeline
    let notifier: SystemdNotifier
    let logger: Logger
    /// The clients, once `run()` has made them (for the log level to reach them).
    private let clients = Mutex<[MQTTClient]>([])
    /// Clients whose every filter was granted (READY=1 when all are).
    private let subscribedClients = Atomic<Int>(0)
    /// Set once graceful shutdown began: a connect failure after it is no failure.
    private let shuttingDown = Atomic<Bool>(false)
    /// One producer per planned connection, made (after recovery) when this service is.
    private let producers: [NetworkThreadProducer]
    /// Per connection, in plan order: its state for the metrics endpoint.
    let connections: [BrokerConnectionState]

    init(clientConfigurations: [MQTTClientConfiguration], pipeline: IngestPipeline, notifier: SystemdNotifier, logger: Logger) {
        self.clientConfigurations = clientConfigurations
        self.pipeline = pipeline
        self.notifier = notifier
        self.logger = logger
        producers = clientConfigurations.indices.map { index in
            let connection = UInt16(index)
            return NetworkThreadProducer(
                pipeline.makeProducer(), connection: connection,
                redeliveries: pipeline.takeRedeliveryFilter(connection: connection))
        }
        connections = zip(clientConfigurations, producers).enumerated().map { index, pair in
            BrokerConnectionState(index: index, broker: "\(pair.0.host):\(pair.0.resolvedPort)", messages: pair.1.tally)
        }
    }

    func run() async throws {
        let made = try zip(clientConfigurations, producers).map { config, producer in
            try MQTTClient(configuration: config, logger: logger) { producer.ingest($0) }
        }
        clients.withLock { $0 = made }
        let filters = clientConfigurations.flatMap(\.subscriptions).map(\.topicFilter).joined(separator: ", ")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (client, state) in zip(made, connections) {
                group.addTask {
                    try await client.connect()
                    var takeover = TakeoverSuspicion()
                    for await event in client.events {
                        switch event {
                        case .connected: state.didConnect()
                        case .disconnected, .connectionRefused, .connectAttemptFailed, .stopped: state.didDisconnect()
                        default: break
                        }
                        if case .connected = event { takeover.connected(atMs: WallClock.nowMs()) }
                        if case .disconnected = event, takeover.disconnected(atMs: WallClock.nowMs()) {
                            self.logger.warning(
                                "the broker keeps closing the connection soon after accepting it: another client is probably using the client id '\(client.configuration.clientID ?? "")' (set mqtt.client_id to one of its own)")
                        }
                        // Ready once subscribed — or connected to a session the broker kept,
                        // whose subscriptions are still in place.
                        switch event {
                        case .subscribed(let results) where results.allSatisfy({ $0.granted != nil }): break
                        case .connected(sessionPresent: true): break
                        default: continue
                        }
                        if self.subscribedClients.add(1, ordering: .relaxed).newValue == made.count {
                            self.notifier.ready(status: "subscribed to \(filters)")
                            self.logger.info("ready: subscribed to \(filters)")
                        }
                    }
                }
            }
            group.addTask {
                do { try await gracefulShutdown() } catch { return }  // cancelled: the failure path stops the clients
                self.shuttingDown.store(true, ordering: .relaxed)
                for client in made { await client.stop() }
            }
            do {
                while try await group.next() != nil {}
            } catch {
                for client in made { await client.stop() }
                group.cancelAll()
                if self.shuttingDown.load(ordering: .relaxed) || Task.isCancelled { return }
                logger.critical("cannot connect to the broker: \(error)")
                throw LiveIngestService.ServiceError.brokerUnavailable("\(error)")
            }
        }
        // However the group ended (graceful shutdown, or cancellation, which skips the
        // shutdown task), no client may call back once this returns: the pipeline drains
        // for the last time after it. `stop()` may be called again.
        for client in made { await client.stop() }
    }

    /// Passes a new log level to every client, so libmosquitto's own tracing follows it.
    func setLogLevel(_ level: Logger.Level) {
        for client in clients.withLock({ $0 }) { client.setLogLevel(level) }
    }
}
