package import TelemetryCore
import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

/// The ingest side of the pipeline for one thread: decodes a message, dead-letters it if it
/// is bad, and otherwise pushes its readings into the ring as one contiguous batch.
///
/// This is where a write-ahead log will sit (between a successful decode and the push), so
/// that what the MQTT callback has accepted is durable before the callback returns.
///
/// Threading: not `Sendable`; used by one thread at a time (it owns its `MessageDecoder`):
/// the replay thread, or one MQTT client's network thread through `NetworkThreadProducer`,
/// which checks that in debug builds. What it shares — ring, counters, dead-letter sink,
/// registry — is thread-safe.
package final class IngestProducer {
    private let decoder: MessageDecoder
    private let ring: ReadingRing
    private let policy: OverflowPolicy
    private let counters: PipelineCounters
    private let deadLetters: DeadLetterSink
    private let isStopping: @Sendable () -> Bool

    init(
        decoder: MessageDecoder, ring: ReadingRing, policy: OverflowPolicy, counters: PipelineCounters,
        deadLetters: DeadLetterSink, isStopping: @escaping @Sendable () -> Bool
    ) {
        self.decoder = decoder
        self.ring = ring
        self.policy = policy
        self.counters = counters
        self.deadLetters = deadLetters
        self.isStopping = isStopping
    }

    /// Handles one message; returns false only when it was dropped for lack of room
    /// (`drop_newest`), or the pipeline stopped while waiting for room (`block`).
    @discardableResult
    package func ingest(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64) -> Bool {
        counters.countReceived()
        do {
            try decoder.decode(topic: topic, payload: payload, arrivalMs: arrivalMs)
        } catch {
            reject(error, topic: topic, payload: payload, arrivalMs: arrivalMs)
            return true
        }
        let pushed = decoder.readings.withUnsafeBufferPointer { batch -> Bool in
            if ring.tryPush(batch) { return true }
            switch policy {
            case .dropNewest:
                return false
            case .block:
                counters.countBlocked()
                var pause: UInt32 = 20
                while !ring.tryPush(batch) {
                    if isStopping() { return false }
                    usleep(pause)
                    pause = min(pause * 2, 2_000)
                }
                return true
            }
        }
        if pushed {
            counters.countReadings(decoder.readings.count)
        } else {
            counters.countDropped()
        }
        return pushed
    }

    /// Counts and dead-letters a message that could not be taken.
    package func reject(_ reason: RejectReason, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64) {
        counters.count(reason)
        deadLetters.append(DeadLetter(receivedMs: arrivalMs, topic: Array(topic), reason: reason, payload: Array(payload)))
    }
}
