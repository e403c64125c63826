import Synchronization

/// A one-shot wake-up call for one waiting task: `wait` suspends until `fire` (from any
/// thread), a deadline, or the task's cancellation — whichever comes first — and returns why.
/// This is how `MQTTClient` waits for things to happen instead of polling.
///
/// Invariants: it fires at most once, and the first `fire` wins (so its continuation is resumed
/// exactly once, however `fire`, the deadline and cancellation race); a `fire` before `wait`
/// is kept, and `wait` then returns at once. Only one task may wait on a `Wakeup`; once fired
/// it stays fired (make a new one for the next wait).
///
/// Threading: thread-safe. Its lock is its own, is never held while resuming the waiting task,
/// and no other lock is taken under it — so `fire` may be called while holding any other lock.
final class Wakeup: Sendable {
    /// Why `wait` returned.
    enum Reason: Equatable, Sendable {
        /// `fire()`: what the task waited for happened.
        case signalled
        /// The deadline passed first.
        case timedOut
        /// The waiting task was cancelled first.
        case cancelled
    }

    private enum State: Sendable {
        case armed
        case waiting(CheckedContinuation<Reason, Never>)
        case fired(Reason)
    }

    private let state = Mutex<State>(.armed)

    init() {}

    /// Why it fired, or nil while it has not.
    var firedReason: Reason? {
        state.withLock { state in
            if case .fired(let reason) = state { return reason }
            return nil
        }
    }

    /// Whether a task is suspended in `wait` and it has not fired yet.
    var isWaiting: Bool {
        state.withLock { state in
            if case .waiting = state { return true }
            return false
        }
    }

    /// Wakes the waiting task (or the next `wait`) with `reason`; does nothing if it already
    /// fired.
    func fire(_ reason: Reason = .signalled) {
        let waiting: CheckedContinuation<Reason, Never>? = state.withLock { state in
            switch state {
            case .armed:
                state = .fired(reason)
                return nil
            case .waiting(let continuation):
                state = .fired(reason)
                return continuation
            case .fired:
                return nil
            }
        }
        waiting?.resume(returning: reason)
    }

    /// Suspends until fired, until `deadline` (when given) has passed, or until the task is
    /// cancelled; returns at once if any of these already happened. The deadline is one
    /// `Task.sleep` in a child task, cancelled as soon as the wait ends.
    func wait(until deadline: ContinuousClock.Instant? = nil) async -> Reason {
        guard let deadline else { return await waitCancellably() }
        return await withTaskGroup(of: Void.self, returning: Reason.self) { group in
            group.addTask { [self] in
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    fire(.timedOut)
                } catch {
                    // Cancelled: the wait already ended (or the task is cancelled, which fires).
                }
            }
            let reason = await waitCancellably()
            group.cancelAll()
            return reason
        }
    }

    /// Suspends until fired, whether or not the task is cancelled (for waits whose contract
    /// is "returns once it happened", such as a second `stop()`).
    func waitIgnoringCancellation() async -> Reason {
        await suspend()
    }

    private func waitCancellably() async -> Reason {
        await withTaskCancellationHandler {
            await suspend()
        } onCancel: {
            fire(.cancelled)
        }
    }

    private func suspend() async -> Reason {
        await withCheckedContinuation { (continuation: CheckedContinuation<Reason, Never>) in
            let early: Reason? = state.withLock { state in
                switch state {
                case .armed:
                    state = .waiting(continuation)
                    return nil
                case .fired(let reason):
                    return reason
                case .waiting:
                    preconditionFailure("only one task may wait on a Wakeup")
                }
            }
            if let early { continuation.resume(returning: early) }
        }
    }
}
