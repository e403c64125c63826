import Synchronization
import TelemetryCore
import TelemetryStorage

/// The one way into the ring in live mode: each message is appended to the write-ahead log
/// and then its readings pushed (or its dead letter queued) under one lock, so the ring's
/// order is the log's order and the aggregator, by taking the same lock, learns exactly
/// which log position its state covers (`quiesced`).
///
/// Invariants: a message is in the ring or the dead-letter buffer only if it is in the log
/// (durable against the process's death from the moment `admit` returns); `lastAdmitted` is
/// the LSN of the last message admitted; LSNs are admitted in increasing order.
///
/// Threading: `Sendable`. `admit`/`admitRejected` from any producer thread; `quiesced` from
/// the aggregator thread. `@unchecked` because the log is also reached outside the lock, by
/// `sync()` and `removeSegments(before:)` from the aggregator thread, which
/// `WriteAheadLog` documents as safe alongside an append; appends happen only under the lock.
final class IngestGate: @unchecked Sendable {
    private struct State {
        var lastAdmitted: UInt64
        /// Whether recovery is over and new messages are taken (logged, when there is a log).
        var open = false
    }
    private let state: Mutex<State>
    private let ring: ReadingRing
    private let doorbell: RingDoorbell
    private let deadLetters: DeadLetterSink
    /// Nil until recovery has replayed the old log and opened it for appending, and for good
    /// when the log is turned off (`wal.enabled: false`); set and read only with `state` locked.
    private nonisolated(unsafe) var log: WriteAheadLog?

    /// Why a message was not admitted (it is then neither logged nor pushed).
    enum Refusal: Error {
        /// The ring has no room for the message's readings now.
        case noRoom
        /// The log could not take it (disk full, I/O error).
        case logFailed(StorageError)
    }

    init(ring: ReadingRing, doorbell: RingDoorbell, deadLetters: DeadLetterSink, lastAdmitted: UInt64) {
        self.ring = ring
        self.doorbell = doorbell
        self.deadLetters = deadLetters
        state = Mutex(State(lastAdmitted: lastAdmitted))
    }

    /// Opens the gate for new messages, appending to `log` (after recovery; nil: the log is off).
    func open(appendingTo log: WriteAheadLog?) {
        state.withLock { s in
            self.log = log
            s.open = true
        }
    }

    /// Whether recovery is over (`open(appendingTo:)` was called).
    var isOpen: Bool { state.withLock { $0.open } }

    /// The LSN of the last message admitted (for the metrics' log lag; takes the lock once).
    var lastAdmittedLSN: UInt64 { state.withLock { $0.lastAdmitted } }

    /// The log, for `sync()` and `removeSegments(before:)` (aggregator thread).
    var attachedLog: WriteAheadLog? { state.withLock { _ in log } }

    /// Logs a decoded message and pushes its readings, or refuses it whole.
    /// `recovered` is the LSN of a message replayed from the log (not logged again).
    func admit(
        _ readings: UnsafeBufferPointer<Reading>, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer,
        arrivalMs: Int64, connection: UInt16, mid: Int32, recovered: UInt64?
    ) throws(Refusal) {
        try state.withLock { s throws(Refusal) in
            // Only this holder pushes and the consumer only frees room, so room seen now stays.
            let inUse = ring.count
            guard ring.capacity - inUse >= readings.count else {
                doorbell.ring()
                throw .noRoom
            }
            let lsn = try record(topic, payload, arrivalMs, connection, mid, recovered)
            let pushed = ring.tryPush(readings)
            precondition(pushed, "the ring lost room it had under the gate")
            s.lastAdmitted = lsn
            doorbell.pushed(inUse: inUse + readings.count, capacity: ring.capacity)
        }
    }

    /// Logs a rejected message and queues its dead letter.
    func admitRejected(
        _ letter: DeadLetter, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer,
        arrivalMs: Int64, connection: UInt16, mid: Int32, recovered: UInt64?
    ) throws(Refusal) {
        try state.withLock { s throws(Refusal) in
            let lsn = try record(topic, payload, arrivalMs, connection, mid, recovered)
            deadLetters.append(letter)
            s.lastAdmitted = lsn
        }
    }

    /// With the lock held: appends to the log (or takes the recovered LSN).
    private func record(
        _ topic: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer, _ arrivalMs: Int64,
        _ connection: UInt16, _ mid: Int32, _ recovered: UInt64?
    ) throws(Refusal) -> UInt64 {
        if let recovered { return recovered }
        guard let log else { return 0 }
        do {
            return try log.append(arrivalMs: arrivalMs, connection: connection, mid: mid, topic: topic, payload: payload)
        } catch {
            throw .logFailed(error)
        }
    }

    /// Runs `body` with every producer held out, passing the LSN of the last message
    /// admitted: everything up to it is then in the ring or the dead-letter buffer, nothing
    /// after it is. Nil, without running `body`, when a producer holds the gate right now.
    func quiesced<Result>(_ body: (UInt64) -> Result) -> Result? {
        state.withLockIfAvailable { s in body(s.lastAdmitted) }
    }
}
