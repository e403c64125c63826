internal import CMosquitto
import Dispatch
package import Logging
import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An MQTT client on top of libmosquitto that no other code needs to see C through: it
/// connects (plain or TLS), subscribes to the configured filters on every connect, hands each
/// received message to a handler as borrowed bytes, publishes, and reports connection changes
/// on `events` and through swift-log.
///
/// ## Threaded client, and why
/// The client always runs libmosquitto's own network thread (`mosquitto_loop_start`). In that
/// mode libmosquitto 2.0.11 *queues* the PUBACK of a QoS 1 message and only writes it after
/// the message callback has returned; in the non-threaded mode (`mosquitto_loop`) it writes
/// the PUBACK *before* calling back, so a crash inside the handler would lose a message the
/// broker already considers delivered. So: when the handler returns, the message must be safe
/// (decoded, queued, written ahead) — that return is the acknowledgement.
///
/// ## Message handler
/// `onMessage` runs on libmosquitto's network thread, one message at a time, with an
/// `MQTTMessageView` whose topic/payload buffers are valid only during the call. The wrapper
/// allocates nothing per message. A slow handler delays everything else on the connection
/// (keep-alive pings included), so hand work off quickly. It may be called until `stop()`
/// returns, and may itself call `publish`.
///
/// ## Lifecycle and structure
/// `init` creates the libmosquitto handle; `connect()` makes the first connection (see
/// `MQTTClientConfiguration.StartupPolicy`); afterwards libmosquitto reconnects by itself with
/// the configured backoff and the client re-subscribes in the connect callback. If
/// libmosquitto's network thread *stops* instead (it does so after TLS failures, protocol
/// errors, or an MQTT 5 broker DISCONNECT), the client notices and reconnects by itself.
/// `stop()` sends DISCONNECT, stops the network thread, destroys the handle, and ends
/// `events`. **Always call `stop()`**: until then the handle keeps the client alive.
///
/// Every decision about the connection is made by `MQTTConnectionStateMachine` (a pure value,
/// in `ClientState`); the client feeds it what libmosquitto reports and carries out the
/// actions it returns. The code is split by concern: this file (lifecycle),
/// `MQTTClient+Callbacks` (libmosquitto's callbacks and carrying out actions),
/// `MQTTClient+Connecting` (the client's own attempts and recovery), `MQTTClient+Publishing`,
/// `MQTTClient+Waiting` (waiting for what the state machine reports), `MQTTClient+Setup`
/// (applying the configuration to the handle), `TLSFailureText`.
///
/// ## Waiting
/// Every wait — for a CONNACK, through a backoff delay, for `stop()` to finish, for
/// acknowledgements — is one `Wakeup` (a continuation), fired by what ends the wait, never a
/// polling loop; its timeout is a single sleep. The check "has it happened?" and the
/// registration of the wake-up are one step under the lock of that state (`state` or
/// `publishes`), the event takes the registered wake-ups under the same lock, and they are
/// fired only after that lock is released.
///
/// ## Lifetime safety
/// libmosquitto reaches this object through the `obj` user-data pointer given to
/// `mosquitto_new`. That pointer is an `Unmanaged` reference retained in `init` and released
/// only at the end of `stop()`, after `mosquitto_loop_stop` has joined the network thread and
/// `mosquitto_destroy` has freed the handle — so no callback can ever reach a freed object.
///
/// ## Why `@unchecked Sendable` is sound
/// Every mutable part is behind a lock or confined to one queue; the compiler cannot see that
/// the C handle (an `OpaquePointer`) is used safely, hence "unchecked":
/// - The handle lives in a `Mutex`. `publish` and `setLogLevel` use it while holding that
///   lock; everything else (connect, loop start/stop, disconnect, destroy) runs on one serial
///   control queue, the only place that destroys it (under the lock) — so the pointer is never
///   used after `mosquitto_destroy`. Callbacks get the pointer from libmosquitto itself, and
///   none runs after the network thread was joined. The libmosquitto functions used
///   concurrently with its network thread (`mosquitto_publish`, `mosquitto_subscribe_multiple`,
///   `mosquitto_disconnect`, the callback setters) are thread-safe in threaded mode: they take
///   libmosquitto's own mutexes.
/// - Callbacks (on the network thread) touch only immutable state (`configuration`,
///   `onMessage`, the prepared subscription C strings) and three `Mutex`es — `state`
///   (`ClientState`), `publishes` (`PublishTracker`) and the logger — none of which is held
///   while calling into libmosquitto or firing a `Wakeup` (whose own lock is a leaf).
/// - `logCallbackLock` is held around `mosquitto_log_callback_set` (so installs and removals
///   happen in the order of the states they were computed from); it is never taken inside
///   libmosquitto's log callback, which runs holding libmosquitto's log mutex.
/// - `events` is an `AsyncStream` whose continuation is thread-safe.
package final class MQTTClient: @unchecked Sendable {
    /// Called on libmosquitto's network thread for every received message; see the type's
    /// documentation for the rules.
    package typealias MessageHandler = @Sendable (MQTTMessageView) -> Void

    package let configuration: MQTTClientConfiguration
    /// Connection changes, newest 1024 kept if nobody reads them. Ends after `.stopped`.
    package let events: AsyncStream<MQTTEvent>

    let onMessage: MessageHandler
    let eventSink: AsyncStream<MQTTEvent>.Continuation
    let isVersion5: Bool
    let subscriptionPlan: SubscriptionPlan
    let connectProperties: ConnectProperties
    let handle = Mutex<MosquittoHandle?>(nil)
    let state: Mutex<ClientState>
    let publishes = Mutex(PublishTracker())
    let logCallbackLock = Mutex(())
    let control = DispatchQueue(label: "telemetryd.mqtt.control")
    private let loggerStorage: Mutex<Logger>

    /// The client's logger (its level can change: `setLogLevel(_:)`).
    var logger: Logger { loggerStorage.withLock { $0 } }

    /// Creates the libmosquitto handle and applies `configuration` (validated first). Does not
    /// connect; call `connect()`. Whether libmosquitto's own per-packet log lines are traced
    /// follows `logger`'s level (see `setLogLevel(_:)`).
    package init(
        configuration: MQTTClientConfiguration,
        logger: Logger = Logger(label: "telemetryd.mqtt"),
        onMessage: @escaping MessageHandler
    ) throws(MQTTError) {
        try configuration.validate()
        MosquittoLibrary.ensureInitialized()
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "mqtt.broker"] = "\(MQTTError.hostPort(configuration.host, configuration.resolvedPort))"
        if let clientID = configuration.clientID { logger[metadataKey: "mqtt.client_id"] = "\(clientID)" }
        loggerStorage = Mutex(logger)
        self.onMessage = onMessage
        (events, eventSink) = AsyncStream.makeStream(of: MQTTEvent.self, bufferingPolicy: .bufferingNewest(1024))
        isVersion5 = configuration.protocolVersion == .v5
        state = Mutex(ClientState(connection: MQTTConnectionStateMachine(configuration)))
        subscriptionPlan = SubscriptionPlan(configuration.subscriptions)
        connectProperties = try ConnectProperties(configuration)

        let userData = Unmanaged.passRetained(self)
        guard
            let mosq = mosquitto_new(
                configuration.clientID, configuration.session == .clean, userData.toOpaque())
        else {
            let reason = String(cString: strerror(errno))
            userData.release()
            throw .library(operation: "mosquitto_new", reason: reason)
        }
        do {
            try Self.configure(mosq, with: configuration)
        } catch {
            mosquitto_destroy(mosq)
            userData.release()
            throw error
        }
        MosquittoCallbacks.install(on: mosq)
        handle.withLock { $0 = MosquittoHandle(pointer: mosq) }
    }

    deinit {
        // Only reachable after stop() released the user-data reference, i.e. after destroy.
        eventSink.finish()
    }

    /// The client behind libmosquitto's `obj` user-data pointer (not retained: the client
    /// holds its own reference until `stop()` ends).
    static func fromUserData(_ pointer: UnsafeMutableRawPointer?) -> MQTTClient? {
        guard let pointer else { return nil }
        return Unmanaged<MQTTClient>.fromOpaque(pointer).takeUnretainedValue()
    }

    // MARK: - Public API

    /// Whether a CONNACK accepted the current connection.
    package var isConnected: Bool { state.withLock { $0.connection.isConnected } }

    /// Makes the first connection and returns once the broker accepted it (subscriptions are
    /// sent right after; `.subscribed` on `events` reports the SUBACK).
    ///
    /// With `.failAfter(attempts:)` it throws after that many failed attempts —
    /// `.unreachable` (no MQTT conversation: DNS, TCP, timeout), `.refused` (CONNACK refused;
    /// thrown at once), or `.tls` (thrown at once). With `.keepRetrying` it retries until
    /// connected, logging each failure, and throws only `.stopped` or `.cancelled`.
    /// After a failure `connect()` may be called again.
    package func connect() async throws(MQTTError) {
        try state.withLock { state throws(MQTTError) in try state.connection.connectRequested() }
        logger.info("connecting to MQTT broker: \(configuration)")
        switch await establish(firstDelay: nil) {
        case .success:
            return
        case .failure(let error):
            state.withLock { $0.connection.connectFailed() }
            logger.error("could not connect: \(error)")
            throw error
        }
    }

    /// Sets the level of the client's logger, and with it whether libmosquitto's own log lines
    /// are traced while connected (only at `.trace`: libmosquitto then formats a line per
    /// packet, so the log callback is otherwise removed once connected). The daemon calls this
    /// when a SIGHUP reload changes the log level. Thread-safe; takes effect at once, also on
    /// an established connection; does nothing to the connection after `stop()`.
    package func setLogLevel(_ level: Logger.Level) {
        loggerStorage.withLock { $0.logLevel = level }
        handle.withLock { mosq in
            guard let mosq else { return }
            updateLogCallback(mosq.pointer)
        }
    }

    /// Disconnects cleanly (DISCONNECT), stops libmosquitto's network thread, destroys the
    /// handle and ends `events`. Idempotent; concurrent callers all return once stopped.
    /// Usually takes milliseconds; it waits for a connection attempt in progress, whose TCP
    /// connect to an unresponsive host is bounded only by the operating system.
    /// Messages whose handler already returned have been acknowledged; with a persistent
    /// session the broker keeps queueing for us.
    package func stop() async {
        let begun: (Transition, Task<Void, Never>?)? = state.withLock { state in
            guard let actions = state.connection.stopRequested() else { return nil }
            return (collect(actions, in: &state), state.recoveryTask)
        }
        guard let (stopping, recovery) = begun else {
            await waitIgnoringCancellation(for: .stopped)  // woken by the first stop() below
            return
        }
        perform(stopping, on: nil)  // wakes an attempt's waiter and backoff delays
        recovery?.cancel()
        await recovery?.value
        await onControlQueue { [self] in
            let wasConnected = state.withLock { $0.connection.isConnected }
            stopNetworkThread()
            handle.withLock { mosq in
                if let handle = mosq { mosquitto_destroy(handle.pointer) }
                mosq = nil
            }
            if wasConnected { logger.info("disconnected from the MQTT broker") }
        }
        let finished = state.withLock { state in
            state.recoveryTask = nil
            return collect(state.connection.stopFinished(), in: &state)
        }
        perform(finished, on: nil)  // wakes other stop() callers and waitForPublished
        announce(.stopped)
        eventSink.finish()
        // Balances passRetained in init: from here on libmosquitto holds no reference.
        Unmanaged.passUnretained(self).release()
    }
}
