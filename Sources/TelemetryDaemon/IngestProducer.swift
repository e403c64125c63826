package import TelemetryCore
import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

/// The ingest side of the pipeline for one thread: decodes a message, dead-letters it if it
/// is bad, and otherwise pushes its readings into the ring as one contiguous batch.
///
/// In live mode every message goes through the `IngestGate`: appended to the write-ahead log
/// first, so that what the MQTT callback has accepted is durable before the callback returns
/// (libmosquitto writes the PUBACK after). When the log cannot take a message (disk full),
/// `ingest` waits and retries rather than return — the broker keeps what is not acknowledged.
/// In a replay there is no gate and readings go straight into the ring. A rejected message
/// whose topic names an already registered device is also counted against that device
/// (`PipelineCounters.rejectedByDevice()`, via `TopicDeviceLookup`; only on the reject path).
///
/// Threading: not `Sendable`; used by one thread at a time (it owns its `MessageDecoder`):
/// the replay thread, or one MQTT client's network thread through `NetworkThreadProducer`,
/// which checks that in debug builds. What it shares — ring, gate, counters, dead-letter
/// sink, registry — is thread-safe.
package final class IngestProducer {
    private let decoder: MessageDecoder
    private let ring: ReadingRing
    /// Replay mode: how a push wakes the aggregator (live mode: the gate rings it).
    private let doorbell: RingDoorbell
    private let gate: IngestGate?
    private let policy: OverflowPolicy
    private let counters: PipelineCounters
    /// This producer's messages (its share of `PipelineCounters.received`).
    package let tally: MessageTally
    /// Logs rejected messages, a few in full per interval (only on the reject path).
    private let deadLetterLog: DeadLetterLog?
    private let deadLetters: DeadLetterSink
    /// Which registered device a rejected message came from.
    private let rejectedDevice: TopicDeviceLookup
    private let isStopping: @Sendable () -> Bool
    private let onLogFailure: @Sendable (StorageError?) -> Void
    /// Whether the last attempt to log failed (to report each change once).
    private var logFailing = false

    init(
        decoder: MessageDecoder, registry: SeriesRegistry, ring: ReadingRing, doorbell: RingDoorbell, gate: IngestGate?,
        policy: OverflowPolicy, counters: PipelineCounters, deadLetters: DeadLetterSink, deadLetterLog: DeadLetterLog? = nil,
        isStopping: @escaping @Sendable () -> Bool, onLogFailure: @escaping @Sendable (StorageError?) -> Void
    ) {
        self.decoder = decoder
        self.rejectedDevice = TopicDeviceLookup(templates: decoder.templates, registry: registry)
        self.ring = ring
        self.doorbell = doorbell
        self.gate = gate
        self.policy = policy
        self.counters = counters
        self.tally = counters.makeTally()
        self.deadLetterLog = deadLetterLog
        self.deadLetters = deadLetters
        self.isStopping = isStopping
        self.onLogFailure = onLogFailure
    }

    /// Handles one message; returns false only when it was dropped for lack of room
    /// (`drop_newest`), or the pipeline stopped while waiting (for room, or for the log).
    /// `connection` and `mid` (the MQTT packet id) go into the log with it; `recovered` is
    /// the LSN of a message being replayed from the log at start-up.
    @discardableResult
    package func ingest(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64,
        connection: UInt16 = 0, mid: Int32 = 0, recovered: UInt64? = nil
    ) -> Bool {
        tally.countMessage()
        do {
            try decoder.decode(topic: topic, payload: payload, arrivalMs: arrivalMs)
        } catch {
            guard let gate else {
                reject(error, topic: topic, payload: payload, arrivalMs: arrivalMs)
                return true
            }
            let letter = DeadLetter(receivedMs: arrivalMs, topic: Array(topic), reason: error, payload: Array(payload))
            let admitted = untilAdmitted { () throws(IngestGate.Refusal) in
                try gate.admitRejected(
                    letter, topic: topic, payload: payload, arrivalMs: arrivalMs, connection: connection, mid: mid,
                    recovered: recovered)
            }
            if admitted { count(error, topic: topic, logged: recovered == nil) }
            return admitted
        }
        // In place: no copy of the readings and no reference counting of their storage.
        let batch = decoder.batch
        let pushed: Bool
        if let gate {
            pushed = untilAdmitted { () throws(IngestGate.Refusal) in
                try gate.admit(
                    batch, topic: topic, payload: payload, arrivalMs: arrivalMs, connection: connection, mid: mid,
                    recovered: recovered)
            }
        } else {
            pushed = push(batch)
        }
        if pushed {
            counters.countReadings(batch.count)
        } else {
            counters.countDropped()
        }
        return pushed
    }

    /// Replay mode: straight into the ring, as the overflow policy says.
    private func push(_ batch: UnsafeBufferPointer<Reading>) -> Bool {
        if ring.tryPush(batch) {
            doorbell.pushed(inUse: ring.count, capacity: ring.capacity)
            return true
        }
        doorbell.ring()
        switch policy {
        case .dropNewest:
            return false
        case .block:
            counters.countBlocked()
            var pause: UInt32 = 20
            while !ring.tryPush(batch) {
                if isStopping() { return false }
                doorbell.ring()
                usleep(pause)
                pause = min(pause * 2, 2_000)
            }
            return true
        }
    }

    /// Live mode: tries `admit` until the gate takes the message. No room: as the overflow
    /// policy says. The log failing: waits and retries (nothing unlogged is acknowledged),
    /// reporting the failure and the recovery once each. False when dropped or stopping.
    private func untilAdmitted(_ admit: () throws(IngestGate.Refusal) -> Void) -> Bool {
        var pause: UInt32 = 20
        var counted = false
        while true {
            do throws(IngestGate.Refusal) {
                try admit()
                if logFailing { logFailing = false; onLogFailure(nil) }
                return true
            } catch {
                switch error {
                case .noRoom:
                    if policy == .dropNewest { return false }
                    if !counted { counters.countBlocked(); counted = true }
                case .logFailed(let failure):
                    if !logFailing { logFailing = true; onLogFailure(failure) }
                    pause = max(pause, 100_000)
                }
            }
            if isStopping() { return false }
            usleep(pause)
            pause = min(pause * 2, pause >= 100_000 ? 1_000_000 : 2_000)
        }
    }

    /// Counts and dead-letters a message that could not be taken (replay mode).
    package func reject(_ reason: RejectReason, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64) {
        count(reason, topic: topic)
        deadLetters.append(DeadLetter(receivedMs: arrivalMs, topic: Array(topic), reason: reason, payload: Array(payload)))
    }

    /// Counts a rejected message by reason, and against its device when its topic names a
    /// registered one; logs it (rate-limited) unless it was logged before a crash (`logged`
    /// false: replayed from the write-ahead log).
    private func count(_ reason: RejectReason, topic: UnsafeRawBufferPointer, logged: Bool = true) {
        counters.count(reason)
        if logged { deadLetterLog?.note(reason, topic: topic) }
        if let device = rejectedDevice.device(ofTopic: topic) { counters.countRejected(device: device) }
    }
}
