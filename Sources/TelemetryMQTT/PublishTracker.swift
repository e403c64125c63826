/// Which published messages libmosquitto has not yet reported done, by message id: QoS ≥ 1
/// messages until the broker acknowledges them (PUBACK/PUBCOMP), QoS 0 messages until written.
///
/// libmosquitto's network thread may report a message done before `publish()` has recorded
/// its id (threaded mode: the ack can race the return of `mosquitto_publish`); such early
/// reports are remembered, so the message is never counted as in flight afterwards.
///
/// Invariants: an id is in at most one of the sets. QoS ≥ 1 messages survive a lost
/// connection (libmosquitto resends them); unwritten QoS 0 messages do not.
///
/// Threading: a plain value; `MQTTClient` keeps it behind its own `Mutex`.
struct PublishTracker: Sendable {
    private var inflight: Set<Int32> = []
    private var qos0Pending: Set<Int32> = []
    private var earlyAcks: Set<Int32> = []

    /// QoS ≥ 1 messages handed over and not yet acknowledged.
    var inFlightCount: Int { inflight.count }

    /// `mosquitto_publish` accepted a message with this id.
    mutating func handedOver(messageID: Int32, qos: MQTTQoS) {
        if earlyAcks.remove(messageID) != nil { return }
        if qos == .atMostOnce {
            qos0Pending.insert(messageID)
        } else {
            inflight.insert(messageID)
        }
    }

    /// libmosquitto reported the message done (acknowledged, or QoS 0 written).
    mutating func completed(messageID: Int32) {
        if inflight.remove(messageID) != nil || qos0Pending.remove(messageID) != nil { return }
        if earlyAcks.count > 4096 { earlyAcks.removeAll() }
        earlyAcks.insert(messageID)
    }

    /// The connection was lost: libmosquitto will never report unwritten QoS 0 messages.
    mutating func connectionLost() {
        qos0Pending.removeAll()
    }
}
