/// What `MQTTClient` keeps behind its state `Mutex`: the connection state machine, the task
/// of a recovery in progress (so that `stop()` can cancel and await it), and the tasks waiting
/// for something the state machine reports (`MQTTConnectionStateMachine.Awaited`).
///
/// Invariant: a `Wakeup` is registered for an `Awaited` only while it has not happened, so the
/// transition that makes it happen (whose `.resumeWaiters` takes the registered wake-ups under
/// the same lock) wakes every task that waits for it, and no task waits for it afterwards.
///
/// Threading: only ever accessed under that `Mutex`, which is never held while calling into
/// libmosquitto or firing a `Wakeup`.
struct ClientState: Sendable {
    typealias Awaited = MQTTConnectionStateMachine.Awaited

    var connection: MQTTConnectionStateMachine
    /// Set when a transition starts a recovery (created under the lock, see
    /// `MQTTClient.transition(_:)`); cancelled and awaited by `stop()`.
    var recoveryTask: Task<Void, Never>?
    private var waiters: [Awaited: [Wakeup]] = [:]

    init(connection: MQTTConnectionStateMachine) {
        self.connection = connection
    }

    /// Registers `wakeup` to be fired when `awaited` happens. Returns false, registering
    /// nothing, if it already has: the caller must not wait then.
    mutating func register(_ wakeup: Wakeup, for awaited: Awaited) -> Bool {
        if connection.hasHappened(awaited) { return false }
        waiters[awaited, default: []].append(wakeup)
        return true
    }

    /// Removes `wakeup` again (its wait ended); does nothing if it was already released.
    mutating func unregister(_ wakeup: Wakeup, for awaited: Awaited) {
        waiters[awaited]?.removeAll { $0 === wakeup }
    }

    /// Takes every wake-up registered for `awaited`, for the caller to fire after releasing
    /// the lock.
    mutating func release(_ awaited: Awaited) -> [Wakeup] {
        waiters.removeValue(forKey: awaited) ?? []
    }

    /// How many wake-ups are registered for `awaited`.
    func waiterCount(for awaited: Awaited) -> Int { waiters[awaited]?.count ?? 0 }
}
