/// The mutable part of `MQTTClient`, always accessed under its `Mutex`.
///
/// Phases: `idle` → `connecting` (start-up attempts) → `running` (libmosquitto's network
/// thread owns reconnection) ⇄ `recovering` (that thread stopped after a fatal error and the
/// client reconnects by itself) → `stopping` → `stopped`. A failed `connect()` returns to
/// `idle`.
struct ClientState {
    enum Phase: Equatable {
        case idle, connecting, running, recovering, stopping, stopped
    }

    var phase: Phase = .idle
    /// CONNACK accepted and the connection not yet lost.
    var connected = false
    /// `mosquitto_loop_start` succeeded and `mosquitto_loop_stop` has not yet been called.
    var loopThreadRunning = false
    /// The connection attempt `MQTTClient` itself is making, if any.
    var attempt: ConnectionAttempt?
    /// QoS ≥ 1 publishes handed to libmosquitto and not yet acknowledged (by message id).
    var inflight: Set<Int32> = []
    /// QoS 0 publishes not yet written (libmosquitto reports those too, when written).
    var qos0Pending: Set<Int32> = []
    /// `on_publish` reports that arrived before `publish()` had recorded the message id.
    var earlyAcks: Set<Int32> = []
    /// SUBSCRIBE message id → index of the `SubscriptionPlan` group it carried.
    var pendingSubacks: [Int32: Int] = [:]
    var recoveryTask: Task<Void, Never>?

    var isStopping: Bool { phase == .stopping || phase == .stopped }
}

/// What one connection attempt has learnt so far; filled in by libmosquitto's callbacks.
struct ConnectionAttempt {
    enum Outcome: Equatable {
        case connected(sessionPresent: Bool)
        case refused(String)
        /// The connection closed before CONNACK.
        case lost(String)
        /// libmosquitto logged a TLS failure (its handshake errors have no other signal).
        case tlsFailed
    }

    var outcome: Outcome?
    /// The waiter gave up (timeout/stop); a late CONNACK must disconnect instead of counting.
    var abandoned = false
    /// libmosquitto's error-level log lines (TLS details only arrive this way).
    var errorLines: [String] = []

    var isOpen: Bool { outcome == nil && !abandoned }
}
