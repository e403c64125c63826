import TelemetryMQTT
import TelemetryStorage

/// The `IngestProducer` of one MQTT client, called from that client's message handler.
///
/// Why `@unchecked Sendable` is sound: `MQTTClient` calls its handler on libmosquitto's
/// network thread, one message at a time, so the non-`Sendable` producer inside is never
/// used by two threads at once. It is not always the *same* thread (libmosquitto's loop is
/// restarted on a new thread after a fatal error), hence "one thread at a time", which
/// `ExclusiveUse` checks in debug builds.
final class NetworkThreadProducer: @unchecked Sendable {
    private let producer: IngestProducer
    private let connection: UInt16
    private var redeliveries: RedeliveryFilter
    private let exclusive = ExclusiveUse()

    init(_ producer: IngestProducer, connection: UInt16, redeliveries: RedeliveryFilter) {
        self.producer = producer
        self.connection = connection
        self.redeliveries = redeliveries
    }

    /// The messages this connection's producer has received.
    var tally: MessageTally { producer.tally }

    /// Takes one message; returns once it is in the write-ahead log and its readings in the
    /// ring (so libmosquitto's PUBACK, written after the handler returns, acknowledges only
    /// what was taken). A redelivery of a message the log already holds is acknowledged
    /// without being taken again.
    func ingest(_ message: MQTTMessageView) {
        exclusive.withExclusiveUse {
            if redeliveries.isActive,
               redeliveries.isRedelivery(mid: message.messageID, topic: message.topic, payload: message.payload) {
                return
            }
            _ = producer.ingest(
                topic: message.topic, payload: message.payload, arrivalMs: WallClock.nowMs(),
                connection: connection, mid: message.qos == .atMostOnce ? 0 : message.messageID)
        }
    }
}
