/// What `MQTTClient` keeps behind its state `Mutex`: the connection state machine, and the task
/// of a recovery in progress (so that `stop()` can cancel and await it).
///
/// Threading: only ever accessed under that `Mutex`, which is never held while calling into
/// libmosquitto.
struct ClientState: Sendable {
    var connection: MQTTConnectionStateMachine
    /// Set when a transition starts a recovery (created under the lock, see
    /// `MQTTClient.transition(_:)`); cancelled and awaited by `stop()`.
    var recoveryTask: Task<Void, Never>?
}
