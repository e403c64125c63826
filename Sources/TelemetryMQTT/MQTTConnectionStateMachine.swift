/// The connection state of an `MQTTClient` and every rule about how it changes, as a pure value:
/// each transition is a method that updates the state and returns the `Action`s the client must
/// then carry out against libmosquitto. It knows nothing of libmosquitto (no C import), so it is
/// tested without a broker.
///
/// ## States
/// ```
/// idle ──connect()──► connecting ──CONNACK──► connected ──lost──► reconnecting ──CONNACK──► connected
///                     connecting ──gave up──► idle
/// connected, reconnecting ──network thread ended──► recovering ──CONNACK──► connected
/// any ──stop()──► stopping ──► stopped
/// ```
/// - `connecting` / `recovering`: the client makes its own attempts (`connect()` at start-up;
///   after libmosquitto's network thread stopped for good), with capped doubling backoff.
/// - `connected`: a CONNACK accepted the connection; subscriptions were sent.
/// - `reconnecting`: the connection was lost and libmosquitto's network thread reconnects by
///   itself (its own backoff).
///
/// Besides the state it tracks the attempt in progress (`attempt`) and whether libmosquitto's
/// network thread is running (`isNetworkThreadRunning`).
///
/// The client's tasks wait for some transitions (`Awaited`): a transition that makes one
/// happen returns `.resumeWaiters` for it, last, and `hasHappened(_:)` tells a task about to
/// wait whether it already has (then it must not wait).
///
/// Threading: a plain value; `MQTTClient` keeps it behind its state `Mutex` and carries out
/// the returned actions after releasing the lock.
struct MQTTConnectionStateMachine: Sendable {
    enum State: Equatable, Sendable {
        case idle
        /// `connect()` is making its start-up attempts.
        case connecting(Backoff)
        /// Connected; SUBSCRIBEs sent on this connection await their SUBACK.
        case connected(Connection)
        /// Connection lost; libmosquitto's network thread reconnects by itself.
        case reconnecting
        /// libmosquitto's network thread stopped (TLS failure, MQTT 5 refusal or DISCONNECT, …):
        /// the client reconnects with its own attempts until connected or stopped.
        case recovering(Backoff)
        /// `stop()` is running; carries the connection if it was still up.
        case stopping(Connection?)
        case stopped
    }

    /// An accepted connection.
    struct Connection: Equatable, Sendable {
        var sessionPresent: Bool
        /// SUBSCRIBE message id → index of the `SubscriptionPlan` group it carried.
        var pendingSubacks: [Int32: Int] = [:]
    }

    /// The client's own attempt loop: its give-up policy and where its backoff stands.
    struct Backoff: Equatable, Sendable {
        let policy: MQTTClientConfiguration.StartupPolicy
        var failedAttempts = 0
        /// The wait after the next failed attempt; doubles up to the maximum.
        var nextDelay: Duration
    }

    /// What the client must do after a transition, in order.
    enum Action: Equatable, Sendable {
        /// Log the event and put it on `events`.
        case emit(MQTTEvent)
        /// Send the SUBSCRIBEs of every subscription group and report each with
        /// `subscriptionSent(messageID:group:)`.
        case subscribe
        /// `mosquitto_disconnect`: end this connection, and stop libmosquitto retrying on its own.
        case disconnect
        /// Install or remove libmosquitto's log callback to match `wantsLibraryLog(tracing:)`.
        case updateLogCallback
        /// Start a recovery: join libmosquitto's ended network thread, wait `after`, then make
        /// attempts (`.keepRetrying`) until connected or stopped.
        case startRecovery(reason: String, after: Duration)
        /// Wake the tasks waiting for this (see `Awaited`).
        case resumeWaiters(Awaited)
    }

    /// What the client's tasks wait for. Each is a question `hasHappened(_:)` answers; the
    /// transitions that make it true return `.resumeWaiters` for it.
    enum Awaited: Hashable, Sendable {
        /// The attempt in progress has an outcome, or `stop()` began (the waiter of an
        /// attempt then collects it with `stopWaitingForAttempt()`).
        case attemptDecided
        /// `stop()` began: backoff delays end early.
        case stopRequested
        /// `stop()` finished: a second `stop()` and `waitForPublished` return.
        case stopped
    }

    /// A closed connection as libmosquitto's disconnect callback reports it, already read into
    /// plain values (see `MosquittoDisconnect.swift`).
    struct Disconnect: Equatable, Sendable {
        /// What happened, in words for the log and `.disconnected`.
        var reason: String
        /// The TLS layer failed (libmosquitto's EPROTO): during an attempt, a TLS failure.
        var isTLSLayerFailure = false
        /// libmosquitto's network thread returns instead of reconnecting after this.
        var endsNetworkThread = false
    }

    /// What `attemptFailed(_:)` decides.
    enum AfterFailedAttempt: Equatable, Sendable {
        /// Wait, then make attempt number `attemptNumber + 1`.
        case retry(attemptNumber: Int, after: Duration)
        /// Stop making attempts and report this error.
        case giveUp(MQTTError)
    }

    let startupPolicy: MQTTClientConfiguration.StartupPolicy
    let reconnectDelayMin: Duration
    let reconnectDelayMax: Duration
    /// See `MQTTClientConfiguration.resubscribeWhenSessionPresent`.
    let resubscribeWhenSessionPresent: Bool

    private(set) var state: State = .idle
    /// The connection attempt the client itself is making (start-up or recovery), from
    /// `attemptStarted()` until its waiter collected the result with `attemptFinished()`.
    /// Kept apart from `state` because its CONNACK moves `state` to `.connected` at once (so a
    /// loss right after is handled as such) while the waiter has yet to notice.
    private(set) var attempt: ConnectionAttempt?
    /// `mosquitto_loop_start` succeeded and the thread has not been joined since.
    private(set) var isNetworkThreadRunning = false

    init(
        startupPolicy: MQTTClientConfiguration.StartupPolicy, reconnectDelayMin: Duration, reconnectDelayMax: Duration,
        resubscribeWhenSessionPresent: Bool = true
    ) {
        self.startupPolicy = startupPolicy
        self.reconnectDelayMin = reconnectDelayMin
        self.reconnectDelayMax = reconnectDelayMax
        self.resubscribeWhenSessionPresent = resubscribeWhenSessionPresent
    }

    init(_ configuration: MQTTClientConfiguration) {
        self.init(
            startupPolicy: configuration.startup, reconnectDelayMin: configuration.reconnectDelayMin,
            reconnectDelayMax: configuration.reconnectDelayMax,
            resubscribeWhenSessionPresent: configuration.resubscribeWhenSessionPresent)
    }

    // MARK: - Questions

    /// A CONNACK accepted the current connection and it has not been lost.
    var isConnected: Bool {
        switch state {
        case .connected, .stopping(.some): return true
        default: return false
        }
    }

    var isStopping: Bool {
        switch state {
        case .stopping, .stopped: return true
        default: return false
        }
    }

    /// Whether libmosquitto's log callback should be installed: always while not connected
    /// (TLS failures are only reported through error log lines); while connected only when the
    /// logger wants trace output (the callback costs a formatted string per packet).
    func wantsLibraryLog(tracing: Bool) -> Bool { tracing || !isConnected }

    // MARK: - connect() and stop()

    /// `connect()` begins: `idle` → `connecting`.
    mutating func connectRequested() throws(MQTTError) {
        switch state {
        case .idle: state = .connecting(Backoff(policy: startupPolicy, nextDelay: reconnectDelayMin))
        case .stopping, .stopped: throw .stopped
        case .connecting: throw .invalidState("connect() is already in progress")
        case .connected, .reconnecting, .recovering: throw .invalidState("connect() was already called successfully")
        }
    }

    /// `connect()` gave up (or was cancelled): back to `idle`, so it may be called again.
    mutating func connectFailed() {
        if case .connecting = state { state = .idle }
    }

    /// `stop()` begins: wakes the waiter of an attempt and every backoff delay. Returns nil when
    /// another `stop()` already did this (it does the work; wait for `.stopped`).
    mutating func stopRequested() -> [Action]? {
        switch state {
        case .stopping, .stopped: return nil
        case .connected(let connection): state = .stopping(connection)
        default: state = .stopping(nil)
        }
        return [.resumeWaiters(.attemptDecided), .resumeWaiters(.stopRequested)]
    }

    /// `stop()` joined the network thread and destroyed the handle.
    mutating func stopFinished() -> [Action] {
        state = .stopped
        attempt = nil
        isNetworkThreadRunning = false
        return [.resumeWaiters(.stopped)]
    }

    // MARK: - The client's own attempts (start-up and recovery)

    /// An attempt begins (before the TCP connect).
    mutating func attemptStarted() {
        attempt = ConnectionAttempt()
    }

    /// `mosquitto_loop_start` succeeded.
    mutating func networkThreadStarted() {
        isNetworkThreadRunning = true
    }

    /// The network thread is about to be joined; returns whether it was running (and so needs
    /// `mosquitto_loop_stop`).
    mutating func networkThreadStopping() -> Bool {
        defer { isNetworkThreadRunning = false }
        return isNetworkThreadRunning
    }

    /// Whether what a task would wait for has already happened (so it must not wait).
    func hasHappened(_ awaited: Awaited) -> Bool {
        switch awaited {
        case .attemptDecided: return attempt?.outcome != nil || isStopping
        case .stopRequested: return isStopping
        case .stopped: return state == .stopped
        }
    }

    /// The waiter stops waiting (decided, timed out, stopped or cancelled). An attempt still
    /// without outcome is marked abandoned, so a late CONNACK disconnects instead of counting.
    mutating func stopWaitingForAttempt() -> ConnectionAttempt.Outcome? {
        let outcome = attempt?.outcome
        if outcome == nil { attempt?.abandoned = true }
        return outcome
    }

    /// The waiter has what it needs (after joining the network thread if the attempt failed):
    /// forget the attempt and return it, with every error line logged while it ran.
    mutating func attemptFinished() -> ConnectionAttempt? {
        defer { attempt = nil }
        return attempt
    }

    /// A failed attempt: whether to retry (and after how long), following the loop's policy.
    /// Refusals and TLS failures (not transient) end a `.failAfter` loop at once.
    mutating func attemptFailed(_ error: MQTTError) -> AfterFailedAttempt {
        if error == .stopped || error == .cancelled { return .giveUp(error) }
        var backoff: Backoff
        switch state {
        case .connecting(let current), .recovering(let current): backoff = current
        default: return .giveUp(isStopping ? .stopped : error)
        }
        backoff.failedAttempts += 1
        if case .failAfter(let attempts) = backoff.policy, backoff.failedAttempts >= attempts || !error.isTransient {
            return .giveUp(error)
        }
        let delay = backoff.nextDelay
        backoff.nextDelay = min(delay * 2, reconnectDelayMax)
        if case .connecting = state { state = .connecting(backoff) } else { state = .recovering(backoff) }
        return .retry(attemptNumber: backoff.failedAttempts, after: delay)
    }

    // MARK: - libmosquitto's callbacks

    /// A CONNACK accepted the connection. Accepted only as the answer to the open attempt, or
    /// while libmosquitto owns reconnection; any other CONNACK (after the waiter gave up,
    /// during `stop()`, before a recovery joined the old thread) is disconnected.
    mutating func connackAccepted(sessionPresent: Bool) -> [Action] {
        if let current = attempt {
            guard current.isOpen, !isStopping else { return [.disconnect] }
            attempt?.outcome = .connected(sessionPresent: sessionPresent)
        } else {
            switch state {
            case .connected, .reconnecting: break
            default: return [.disconnect]
            }
        }
        state = .connected(Connection(sessionPresent: sessionPresent))
        var connected: [Action] = [.updateLogCallback, .emit(.connected(sessionPresent: sessionPresent))]
        if !sessionPresent || resubscribeWhenSessionPresent { connected.append(.subscribe) }
        return attempt == nil ? connected : connected + [.resumeWaiters(.attemptDecided)]
    }

    /// A CONNACK refused the connection. During the client's own attempt (and during `stop()`)
    /// libmosquitto is told to disconnect so that it does not retry on its own.
    mutating func connackRefused(reason: String) -> [Action] {
        let event = Action.emit(.connectionRefused(reason: reason))
        if attempt?.isOpen == true {
            attempt?.outcome = .refused(reason)
            return [event, .disconnect, .resumeWaiters(.attemptDecided)]
        }
        return isStopping ? [event, .disconnect] : [event]
    }

    /// A SUBSCRIBE went out on the current connection.
    mutating func subscriptionSent(messageID: Int32, group: Int) {
        switch state {
        case .connected(var connection):
            connection.pendingSubacks[messageID] = group
            state = .connected(connection)
        case .stopping(.some(var connection)):
            connection.pendingSubacks[messageID] = group
            state = .stopping(connection)
        default:
            break
        }
    }

    /// A SUBACK arrived: the subscription group it answers, or nil if it answers nothing sent
    /// on this connection.
    mutating func subackReceived(messageID: Int32) -> Int? {
        switch state {
        case .connected(var connection):
            defer { state = .connected(connection) }
            return connection.pendingSubacks.removeValue(forKey: messageID)
        case .stopping(.some(var connection)):
            defer { state = .stopping(connection) }
            return connection.pendingSubacks.removeValue(forKey: messageID)
        default:
            return nil
        }
    }

    /// The connection closed (or failed before CONNACK). During the client's own attempt it
    /// decides the attempt; after a connection it is a loss, which libmosquitto's thread
    /// reconnects — or, when that thread ends, the client recovers by itself.
    mutating func disconnected(_ disconnect: Disconnect) -> [Action] {
        if case .stopping(.some) = state { state = .stopping(nil) }
        if attempt?.isOpen == true {
            // EPROTO comes from libmosquitto's TLS layer; OpenSSL does not always leave an
            // error line (e.g. the broker's alert raced with its TCP reset).
            attempt?.outcome = disconnect.isTLSLayerFailure ? .tlsFailed : .lost(disconnect.reason)
            return [.disconnect, .resumeWaiters(.attemptDecided)]
        }
        switch state {
        case .connected, .reconnecting:
            let lost: [Action] = [.updateLogCallback, .emit(.disconnected(reason: disconnect.reason))]
            guard disconnect.endsNetworkThread else {
                state = .reconnecting
                return lost
            }
            return lost + startRecovery(reason: disconnect.reason)
        default:
            return []
        }
    }

    /// libmosquitto logged an error line; `tlsFailure` is its TLS reason if it reports one.
    /// During an attempt the line is kept (TLS details arrive only this way). While
    /// libmosquitto reconnects by itself, a TLS failure means its thread has ended without a
    /// disconnect callback: recover.
    ///
    /// Called inside libmosquitto's log callback, so it never returns an action that calls
    /// back into libmosquitto (only `.emit`, `.startRecovery` and `.resumeWaiters`).
    mutating func errorLogged(_ line: String, tlsFailure: String?) -> [Action] {
        if attempt != nil {
            attempt?.errorLines.append(line)
            guard tlsFailure != nil && attempt?.isOpen == true else { return [] }
            attempt?.outcome = .tlsFailed
            return [.resumeWaiters(.attemptDecided)]
        }
        guard let tlsFailure, case .reconnecting = state else { return [] }
        let reason = "TLS handshake failed: \(tlsFailure)"
        return [.emit(.connectAttemptFailed(reason: reason))] + startRecovery(reason: reason)
    }

    private mutating func startRecovery(reason: String) -> [Action] {
        state = .recovering(Backoff(policy: .keepRetrying, nextDelay: reconnectDelayMin))
        return [.startRecovery(reason: reason, after: reconnectDelayMin)]
    }
}
