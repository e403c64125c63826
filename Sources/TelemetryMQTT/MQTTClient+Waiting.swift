import Synchronization

/// Waiting for what the state machine reports (`MQTTConnectionStateMachine.Awaited`): the
/// outcome of an attempt, `stop()` beginning (ends backoff delays) or finishing — with a
/// `Wakeup` per wait, never a polling loop.
///
/// The rule that keeps every wake-up: the check "has it happened?" and the registration of
/// the `Wakeup` are one step under the state lock (`ClientState.register(_:for:)`), and the
/// transition that makes it happen takes the registered wake-ups under that same lock; they
/// are fired after the lock is released (`perform(_:on:)`).
extension MQTTClient {
    typealias Awaited = MQTTConnectionStateMachine.Awaited

    /// Suspends until `awaited` happens, `deadline` (when given) passes, or the task is
    /// cancelled — at once (`.signalled`) if it already happened — and says which.
    func wait(for awaited: Awaited, until deadline: ContinuousClock.Instant? = nil) async -> Wakeup.Reason {
        let wakeup = Wakeup()
        guard state.withLock({ $0.register(wakeup, for: awaited) }) else { return .signalled }
        let reason = await wakeup.wait(until: deadline)
        state.withLock { $0.unregister(wakeup, for: awaited) }
        return reason
    }

    /// Suspends until `awaited` happens, even if the task is cancelled.
    func waitIgnoringCancellation(for awaited: Awaited) async {
        let wakeup = Wakeup()
        guard state.withLock({ $0.register(wakeup, for: awaited) }) else { return }
        _ = await wakeup.waitIgnoringCancellation()
        state.withLock { $0.unregister(wakeup, for: awaited) }
    }
}
