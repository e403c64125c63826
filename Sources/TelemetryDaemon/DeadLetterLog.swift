package import Logging
import Synchronization
package import TelemetryCore

/// Dead letters in the daemon's log, rate-limited: in each interval the first
/// `fullPerInterval` are logged in full (reason and log-safe topic, at `notice`, which
/// `journalctl` shows at the default level), the rest are counted by reason and summed up in
/// one line — "N more dead letters in the last 10s, by reason: bad_json 120, no_template 3" —
/// when the interval is over (at the next dead letter or the aggregator's next `tick()`,
/// whichever comes first, and at `flush()` when the pipeline ends).
///
/// So a burst of any size logs at most `fullPerInterval + 1` lines per interval, and a
/// steady trickle is still visible. The dead-letter files keep every message in full.
///
/// Invariants: every noted dead letter is either logged in full or counted in exactly one
/// summary (unless the process dies before that summary is due).
/// Threading: `Sendable`; the state is behind a `Mutex`, taken only on the reject path (never
/// per accepted message) and by `tick()`; lines are logged after the lock is released.
package final class DeadLetterLog: Sendable {
    private struct State {
        var intervalStartMs: Int64
        var loggedInFull = 0
        var suppressed: [RejectReason: Int] = [:]
    }

    private let logger: Logger
    private let clock: @Sendable () -> Int64
    package let intervalMs: Int64
    package let fullPerInterval: Int
    private let state: Mutex<State>

    package init(
        logger: Logger, intervalMs: Int64 = 10_000, fullPerInterval: Int = 5, clock: @escaping @Sendable () -> Int64
    ) {
        self.logger = logger
        self.clock = clock
        self.intervalMs = intervalMs
        self.fullPerInterval = fullPerInterval
        state = Mutex(State(intervalStartMs: clock()))
    }

    /// A message rejected for `reason`, from `topic` (raw bytes off the wire).
    package func note(_ reason: RejectReason, topic: UnsafeRawBufferPointer) {
        note(reason) { "topic '\(LogSafeText.sanitize(topic))'" }
    }

    /// A dead letter for `reason`; `subject` (what it came from, already log-safe) is only
    /// built when the line is logged in full.
    package func note(_ reason: RejectReason, subject: () -> String) {
        let now = clock()
        let (full, summary) = state.withLock { s -> (Bool, String?) in
            let summary = now - s.intervalStartMs >= intervalMs ? Self.closeInterval(&s, now: now, intervalMs: intervalMs) : nil
            if s.loggedInFull < fullPerInterval {
                s.loggedInFull += 1
                return (true, summary)
            }
            s.suppressed[reason, default: 0] += 1
            return (false, summary)
        }
        if let summary { logger.notice("\(summary)") }
        if full { logger.notice("dead letter (\(reason.rawValue)): \(subject())") }
    }

    /// Logs the summary of an interval that is over (the aggregator calls this about once a
    /// second, so a burst's summary does not wait for the next dead letter).
    package func tick() {
        let now = clock()
        let summary = state.withLock { s -> String? in
            now - s.intervalStartMs >= intervalMs ? Self.closeInterval(&s, now: now, intervalMs: intervalMs) : nil
        }
        if let summary { logger.notice("\(summary)") }
    }

    /// Logs what the current interval has suppressed so far (at the pipeline's end).
    package func flush() {
        let now = clock()
        let summary = state.withLock { s in Self.closeInterval(&s, now: now, intervalMs: max(now - s.intervalStartMs, 0)) }
        if let summary { logger.notice("\(summary)") }
    }

    /// Starts a new interval at `now`; the summary line of the one that ended, or nil when it
    /// suppressed nothing.
    private static func closeInterval(_ s: inout State, now: Int64, intervalMs: Int64) -> String? {
        defer { s = State(intervalStartMs: now) }
        guard !s.suppressed.isEmpty else { return nil }
        let total = s.suppressed.values.reduce(0, +)
        let byReason = s.suppressed.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        return "\(total) more dead letter\(total == 1 ? "" : "s") in the last \(PipelineStatus.durationText(intervalMs)), by reason: \(byReason)"
    }
}
