/// Which published messages libmosquitto has not yet reported done, by message id: QoS ≥ 1
/// messages until the broker acknowledges them (PUBACK/PUBCOMP), QoS 0 messages until written.
///
/// libmosquitto's network thread may report a message done before `publish()` has recorded
/// its id (threaded mode: the ack can race the return of `mosquitto_publish`); such early
/// reports are remembered, so the message is never counted as in flight afterwards.
///
/// It also holds the tasks waiting (in `waitForPublished`) until nothing is in flight: the
/// acknowledgement that completes the last one releases them.
///
/// Invariants: an id is in at most one of the sets. QoS ≥ 1 messages survive a lost
/// connection (libmosquitto resends them); unwritten QoS 0 messages do not. A wake-up is
/// registered only while something is in flight.
///
/// Threading: a plain value; `MQTTClient` keeps it behind its own `Mutex`.
struct PublishTracker: Sendable {
    private var inflight: Set<Int32> = []
    private var qos0Pending: Set<Int32> = []
    private var earlyAcks: Set<Int32> = []
    private var drainWaiters: [Wakeup] = []

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

    /// libmosquitto reported the message done (acknowledged, or QoS 0 written). Returns the
    /// wake-ups to fire (after releasing the lock): all registered ones, once nothing is left
    /// in flight.
    mutating func completed(messageID: Int32) -> [Wakeup] {
        if inflight.remove(messageID) != nil {
            guard inflight.isEmpty else { return [] }
            defer { drainWaiters = [] }
            return drainWaiters
        }
        if qos0Pending.remove(messageID) != nil { return [] }
        if earlyAcks.count > 4096 { earlyAcks.removeAll() }
        earlyAcks.insert(messageID)
        return []
    }

    /// Registers `wakeup` to be released by the acknowledgement that leaves nothing in flight,
    /// and returns how many messages are in flight now; with none, registers nothing (the
    /// caller must not wait).
    mutating func wakeWhenNothingInFlight(_ wakeup: Wakeup) -> Int {
        if !inflight.isEmpty { drainWaiters.append(wakeup) }
        return inflight.count
    }

    /// Removes `wakeup` again (its wait ended); does nothing if it was already released.
    mutating func forget(_ wakeup: Wakeup) {
        drainWaiters.removeAll { $0 === wakeup }
    }

    /// How many wake-ups wait for nothing to be in flight.
    var waiterCount: Int { drainWaiters.count }

    /// The connection was lost: libmosquitto will never report unwritten QoS 0 messages.
    mutating func connectionLost() {
        qos0Pending.removeAll()
    }
}
