import Synchronization

/// What the metrics endpoint shows of one MQTT connection: whether it is connected now, how
/// often it connected again after the first time, and its messages (its producer's tally).
///
/// Invariants: `connects` only grows; `reconnects` is `connects − 1` once connected at all.
/// Threading: `Sendable`; relaxed atomics written by `BrokerIngestService`'s event loop
/// (never by the network thread), read by scrapes.
package final class BrokerConnectionState: Sendable {
    /// The connection's index in the plan (`connection` label), and its broker as `host:port`.
    package let index: Int
    package let broker: String
    /// The messages this connection's producer has received.
    package let messages: MessageTally
    private let isConnected = Atomic<Bool>(false)
    private let connectCount = Atomic<Int>(0)

    init(index: Int, broker: String, messages: MessageTally) {
        self.index = index
        self.broker = broker
        self.messages = messages
    }

    /// Whether the connection is up (CONNACK accepted, not disconnected since).
    package var connected: Bool { isConnected.load(ordering: .relaxed) }
    /// Connections made again after the first.
    package var reconnects: Int { max(connectCount.load(ordering: .relaxed) - 1, 0) }

    func didConnect() {
        connectCount.wrappingAdd(1, ordering: .relaxed)
        isConnected.store(true, ordering: .relaxed)
    }

    func didDisconnect() { isConnected.store(false, ordering: .relaxed) }
}
