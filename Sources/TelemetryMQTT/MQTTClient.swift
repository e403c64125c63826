internal import CMosquitto
import Dispatch
import Logging
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
/// ## Lifecycle
/// `init` creates the libmosquitto handle; `connect()` makes the first connection (see
/// `MQTTClientConfiguration.StartupPolicy`); afterwards libmosquitto reconnects by itself with
/// the configured backoff and the client re-subscribes in the connect callback. If
/// libmosquitto's network thread *stops* instead (it does so after TLS failures, protocol
/// errors, or an MQTT 5 broker DISCONNECT), the client notices and reconnects by itself.
/// `stop()` sends DISCONNECT, stops the network thread, destroys the handle, and ends
/// `events`. **Always call `stop()`**: until then the handle keeps the client alive.
///
/// ## Lifetime safety
/// libmosquitto reaches this object through the `obj` user-data pointer given to
/// `mosquitto_new`. That pointer is an `Unmanaged` reference retained in `init` and released
/// only at the end of `stop()`, after `mosquitto_loop_stop` has joined the network thread and
/// `mosquitto_destroy` has freed the handle — so no callback can ever reach a freed object.
///
/// ## Why `@unchecked Sendable` is sound
/// - The `OpaquePointer` handle lives in a `Mutex`. `publish` uses it while holding that lock;
///   everything else (connect, loop start/stop, disconnect, destroy) runs on one serial
///   control queue, the only place that destroys it — so the pointer is never used after
///   `mosquitto_destroy`. The libmosquitto functions used concurrently with its network thread
///   (`mosquitto_publish`, `mosquitto_subscribe_multiple`, `mosquitto_disconnect`, the
///   callback setters) are thread-safe in threaded mode: they take libmosquitto's own mutexes.
/// - Callbacks (on the network thread) touch only immutable state (`configuration`, `logger`,
///   `onMessage`, the prepared subscription C strings) and `state`, which is behind a `Mutex`
///   that is never held while calling into libmosquitto.
/// - `events` is an `AsyncStream` whose continuation is thread-safe.
public final class MQTTClient: @unchecked Sendable {
    /// Called on libmosquitto's network thread for every received message; see the type's
    /// documentation for the rules.
    public typealias MessageHandler = @Sendable (MQTTMessageView) -> Void

    public let configuration: MQTTClientConfiguration
    /// Connection changes, newest 1024 kept if nobody reads them. Ends after `.stopped`.
    public let events: AsyncStream<MQTTEvent>

    let logger: Logger
    let onMessage: MessageHandler
    private let eventSink: AsyncStream<MQTTEvent>.Continuation
    private let isVersion5: Bool
    /// Keep libmosquitto's log callback installed while connected too (costs a formatted
    /// string per packet inside libmosquitto), only when the logger wants trace output.
    private let traceLibrary: Bool
    private let subscriptionPlan: SubscriptionPlan
    private let connectProperties: ConnectProperties
    private let handle = Mutex<MosquittoHandle?>(nil)
    private let state = Mutex(ClientState())
    private let control = DispatchQueue(label: "telemetryd.mqtt.control")

    private static let logError: Int32 = 0x08
    private static let logWarning: Int32 = 0x04
    private static let logDebug: Int32 = 0x10

    /// Creates the libmosquitto handle and applies `configuration` (validated first). Does not
    /// connect; call `connect()`.
    public init(
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
        self.logger = logger
        self.onMessage = onMessage
        (events, eventSink) = AsyncStream.makeStream(of: MQTTEvent.self, bufferingPolicy: .bufferingNewest(1024))
        isVersion5 = configuration.protocolVersion == .v5
        traceLibrary = logger.logLevel <= .trace
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

    private static func configure(_ mosq: OpaquePointer, with configuration: MQTTClientConfiguration) throws(MQTTError)
    {
        func check(_ rc: Int32, _ operation: String) throws(MQTTError) {
            guard rc == MosquittoLibrary.success else {
                throw .library(operation: operation, reason: MosquittoLibrary.errorText(rc, errorNumber: errno))
            }
        }
        try check(
            mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, configuration.protocolVersion.cValue),
            "setting the protocol version")
        if let credentials = configuration.credentials {
            try check(
                mosquitto_username_pw_set(mosq, credentials.username, credentials.password),
                "setting username and password")
        }
        if let tls = configuration.tls {
            let certificate = tls.clientCertificate?.certificateFile
            let key = tls.clientCertificate?.privateKeyFile
            switch tls.trustRoots {
            case .caFile(let path):
                try check(
                    mosquitto_tls_set(mosq, path, nil, certificate, key, MosquittoCallbacks.noKeyPassword),
                    "TLS set-up (CA file \(path))")
            case .caDirectory(let path):
                try check(
                    mosquitto_tls_set(mosq, nil, path, certificate, key, MosquittoCallbacks.noKeyPassword),
                    "TLS set-up (CA directory \(path))")
            case .system:
                try check(mosquitto_int_option(mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1), "TLS set-up (system trust store)")
            }
            // 1 = SSL_VERIFY_PEER: verify the broker's certificate chain (host name checking is
            // libmosquitto's default and is never switched off).
            try check(mosquitto_tls_opts_set(mosq, 1, nil, nil), "TLS set-up (peer verification)")
        }
        try check(
            mosquitto_reconnect_delay_set(
                mosq, wholeSeconds(configuration.reconnectDelayMin), wholeSeconds(configuration.reconnectDelayMax), true
            ),
            "setting the reconnect delay")
    }

    private static func wholeSeconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        return max(1, UInt32(clamping: seconds + (attoseconds > 0 ? 1 : 0)))
    }

    static func fromUserData(_ pointer: UnsafeMutableRawPointer?) -> MQTTClient? {
        guard let pointer else { return nil }
        return Unmanaged<MQTTClient>.fromOpaque(pointer).takeUnretainedValue()
    }

    // MARK: - Public API

    /// Whether a CONNACK accepted the current connection.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// QoS ≥ 1 messages handed to `publish` and not yet acknowledged by the broker.
    public var inFlightCount: Int { state.withLock { $0.inflight.count } }

    /// Makes the first connection and returns once the broker accepted it (subscriptions are
    /// sent right after; `.subscribed` on `events` reports the SUBACK).
    ///
    /// With `.failAfter(attempts:)` it throws after that many failed attempts —
    /// `.unreachable` (no MQTT conversation: DNS, TCP, timeout), `.refused` (CONNACK refused;
    /// thrown at once), or `.tls` (thrown at once). With `.keepRetrying` it retries until
    /// connected, logging each failure, and throws only `.stopped` or `.cancelled`.
    /// After a failure `connect()` may be called again.
    public func connect() async throws(MQTTError) {
        try state.withLock { state throws(MQTTError) in
            switch state.phase {
            case .idle: state.phase = .connecting
            case .stopping, .stopped: throw .stopped
            case .connecting: throw .invalidState("connect() is already in progress")
            case .running, .recovering: throw .invalidState("connect() was already called successfully")
            }
        }
        logger.info("connecting to MQTT broker: \(configuration)")
        switch await establish(policy: configuration.startup, firstDelay: nil) {
        case .success:
            return
        case .failure(let error):
            state.withLock { if $0.phase == .connecting { $0.phase = .idle } }
            logger.error("could not connect: \(error)")
            throw error
        }
    }

    /// Hands a message to libmosquitto and returns its message id; QoS ≥ 1 messages count as
    /// in flight until the broker acknowledges them (see `waitForPublished(timeout:)`).
    /// QoS ≥ 1 messages published while disconnected are queued and sent after reconnecting;
    /// QoS 0 messages then fail with `.publishFailed`.
    @discardableResult
    public func publish(
        topic: String, payload: UnsafeRawBufferPointer, qos: MQTTQoS = .atLeastOnce, retain: Bool = false
    ) throws(MQTTError) -> Int32 {
        guard payload.count <= Int(Int32.max) else {
            throw .publishFailed(topic: topic, reason: "payload of \(payload.count) bytes is too large")
        }
        var messageID: Int32 = 0
        let rc: Int32? = handle.withLock { mosq in
            guard let mosq else { return nil }
            return mosquitto_publish(
                mosq.pointer, &messageID, topic, Int32(payload.count), payload.baseAddress, qos.cValue, retain)
        }
        guard let rc else { throw .stopped }
        guard rc == MosquittoLibrary.success else {
            throw .publishFailed(topic: topic, reason: publishFailureText(rc, topic: topic))
        }
        state.withLock { state in
            if state.earlyAcks.remove(messageID) != nil { return }
            if qos == .atMostOnce {
                state.qos0Pending.insert(messageID)
            } else {
                state.inflight.insert(messageID)
            }
        }
        return messageID
    }

    /// `publish` for a byte array.
    @discardableResult
    public func publish(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = false)
        throws(MQTTError) -> Int32
    {
        let result: Result<Int32, MQTTError> = payload.withUnsafeBytes { bytes in
            Result { () throws(MQTTError) -> Int32 in
                try publish(topic: topic, payload: bytes, qos: qos, retain: retain)
            }
        }
        return try result.get()
    }

    /// `publish` for a text payload (sent as its UTF-8 bytes).
    @discardableResult
    public func publish(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false)
        throws(MQTTError) -> Int32
    {
        try publish(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
    }

    /// Returns once every QoS ≥ 1 message published so far has been acknowledged (PUBACK /
    /// PUBCOMP); throws `.publishTimeout(pending:)` after `timeout`, `.stopped` if the client
    /// stops first, `.cancelled` if the task is cancelled. (Polls every 5 ms.)
    public func waitForPublished(timeout: Duration) async throws(MQTTError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (pending, phase) = state.withLock { ($0.inflight.count, $0.phase) }
            if pending == 0 { return }
            if phase == .stopped { throw .stopped }
            if ContinuousClock.now >= deadline { throw .publishTimeout(pending: pending) }
            if Task.isCancelled { throw .cancelled }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Disconnects cleanly (DISCONNECT), stops libmosquitto's network thread, destroys the
    /// handle and ends `events`. Idempotent; concurrent callers all return once stopped.
    /// Usually takes milliseconds; it waits for a connection attempt in progress, whose TCP
    /// connect to an unresponsive host is bounded only by the operating system.
    /// Messages whose handler already returned have been acknowledged; with a persistent
    /// session the broker keeps queueing for us.
    public func stop() async {
        let (first, recovery) = state.withLock { state -> (Bool, Task<Void, Never>?) in
            switch state.phase {
            case .stopping, .stopped: return (false, nil)
            default:
                state.phase = .stopping
                return (true, state.recoveryTask)
            }
        }
        guard first else {
            while state.withLock({ $0.phase != .stopped }) { try? await Task.sleep(for: .milliseconds(5)) }
            return
        }
        recovery?.cancel()
        await recovery?.value
        await onControlQueue { [self] in
            let wasConnected = state.withLock { $0.connected }
            stopLoopThread()
            handle.withLock { mosq in
                if let handle = mosq { mosquitto_destroy(handle.pointer) }
                mosq = nil
            }
            if wasConnected { logger.info("disconnected from the MQTT broker") }
        }
        state.withLock {
            $0.phase = .stopped
            $0.connected = false
            $0.recoveryTask = nil
        }
        logger.debug("MQTT client stopped")
        eventSink.yield(.stopped)
        eventSink.finish()
        // Balances passRetained in init: from here on libmosquitto holds no reference.
        Unmanaged.passUnretained(self).release()
    }

    // MARK: - Connecting (our own attempts: start-up and recovery)

    private enum AttemptResult {
        case connected
        case failed(MQTTError)
    }

    private var isStopping: Bool { state.withLock { $0.isStopping } }

    /// Connection attempts with capped doubling backoff until one succeeds or `policy` says to
    /// give up. On success `handleConnect` has moved the phase to `.running`.
    private func establish(
        policy: MQTTClientConfiguration.StartupPolicy, firstDelay: Duration?
    ) async -> Result<Void, MQTTError> {
        var delay = configuration.reconnectDelayMin
        if let firstDelay, !(await sleepUnlessStopping(firstDelay)) { return .failure(stopReason()) }
        var attemptNumber = 0
        while true {
            attemptNumber += 1
            if isStopping || Task.isCancelled { return .failure(stopReason()) }
            let error: MQTTError
            switch await attemptOnce() {
            case .connected: return .success(())
            case .failed(let failure): error = failure
            }
            if error == .stopped || error == .cancelled { return .failure(error) }
            eventSink.yield(.connectAttemptFailed(reason: error.description))
            if case .failAfter(let attempts) = policy, attemptNumber >= attempts || !error.isTransient {
                return .failure(error)
            }
            logger.warning("connection attempt \(attemptNumber) failed: \(error); retrying in \(delay)")
            if !(await sleepUnlessStopping(delay)) { return .failure(stopReason()) }
            delay = min(delay * 2, configuration.reconnectDelayMax)
        }
    }

    private func stopReason() -> MQTTError { isStopping ? .stopped : .cancelled }

    private func sleepUnlessStopping(_ duration: Duration) async -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if isStopping || Task.isCancelled { return false }
            try? await Task.sleep(for: min(deadline - ContinuousClock.now, .milliseconds(20)))
        }
        return !(isStopping || Task.isCancelled)
    }

    /// One attempt: blocking TCP connect + CONNECT (TLS handshake continues on the network
    /// thread), start the network thread, wait for CONNACK. On failure the network thread is
    /// stopped again, so libmosquitto never retries behind our back.
    private func attemptOnce() async -> AttemptResult {
        state.withLock { $0.attempt = ConnectionAttempt() }
        let started: MQTTError? = await onControlQueue { [self] () -> MQTTError? in
            guard let mosq = handle.withLock({ $0?.pointer }), !isStopping else { return .stopped }
            MosquittoCallbacks.installLog(on: mosq)
            let rc = connectProperties.withList { properties in
                mosquitto_connect_bind_v5(
                    mosq, configuration.host, Int32(configuration.resolvedPort), Int32(configuration.keepAliveSeconds),
                    nil, properties)
            }
            let errorNumber = errno
            guard rc == MosquittoLibrary.success else {
                let lines = state.withLock { $0.attempt?.errorLines ?? [] }
                let tlsLayer =
                    configuration.tls != nil && rc == Int32(MOSQ_ERR_ERRNO.rawValue) && errorNumber == EPROTO
                if rc == Int32(MOSQ_ERR_TLS.rawValue) || tlsLayer || !Self.tlsReasons(lines).isEmpty {
                    let fallback =
                        tlsLayer
                        ? "the broker closed the TLS session during set-up (it may require a client certificate, "
                            + "or reject the one given)"
                        : MosquittoLibrary.errorText(rc, errorNumber: errorNumber)
                    return .tls(reason: Self.tlsReason(lines, fallback: fallback))
                }
                return .unreachable(
                    host: configuration.host, port: configuration.resolvedPort,
                    reason: MosquittoLibrary.errorText(rc, errorNumber: errorNumber))
            }
            let loop = mosquitto_loop_start(mosq)
            guard loop == MosquittoLibrary.success else {
                _ = mosquitto_disconnect(mosq)
                return .library(
                    operation: "mosquitto_loop_start", reason: MosquittoLibrary.errorText(loop, errorNumber: errno))
            }
            state.withLock { $0.loopThreadRunning = true }
            return nil
        }
        if let started {
            state.withLock { $0.attempt = nil }
            return .failed(started)
        }

        let deadline = ContinuousClock.now + configuration.connectTimeout
        while true {
            let (decided, stopping) = state.withLock { ($0.attempt?.outcome != nil, $0.isStopping) }
            if decided || stopping || Task.isCancelled || ContinuousClock.now >= deadline { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let outcome: ConnectionAttempt.Outcome? = state.withLock { state in
            let outcome = state.attempt?.outcome
            if outcome == nil { state.attempt?.abandoned = true }
            return outcome
        }
        if case .connected = outcome {
            state.withLock { $0.attempt = nil }
            return .connected
        }
        // Failed: make sure libmosquitto's thread is gone before deciding (and before the next
        // attempt), then read every error line it logged.
        await onControlQueue { [self] in stopLoopThread() }
        let (lines, stopping) = state.withLock { state in
            let lines = state.attempt?.errorLines ?? []
            state.attempt = nil
            return (lines, state.isStopping)
        }
        if stopping { return .failed(.stopped) }
        if Self.tlsReasons(lines).count > 0 {
            return .failed(.tls(reason: Self.tlsReason(lines, fallback: "handshake failed")))
        }
        let host = configuration.host
        let port = configuration.resolvedPort
        switch outcome {
        case .refused(let reason):
            return .failed(.refused(reason: reason))
        case .lost(let reason):
            let hint = configuration.tls == nil ? "; if this port expects TLS, use mqtts://" : ""
            return .failed(
                .unreachable(
                    host: host, port: port,
                    reason: "the connection closed before the broker accepted it (\(reason))\(hint)"))
        case .tlsFailed:
            return .failed(
                .tls(
                    reason: "the broker closed the TLS session during set-up "
                        + "(it may require a client certificate, or reject the one given)"))
        case .connected, nil:
            if Task.isCancelled { return .failed(.cancelled) }
            return .failed(
                .unreachable(
                    host: host, port: port,
                    reason: "no CONNACK within \(configuration.connectTimeout) (is this an MQTT port"
                        + (configuration.tls == nil ? ", or one that expects TLS?)" : "?)")))
        }
    }

    /// Tells libmosquitto to disconnect and joins its network thread. Control queue only.
    ///
    /// libmosquitto 2.0.11 has a race: if the thread is inside a (blocking) reconnect when we
    /// set the "disconnected" state, the reconnect overwrites it and the thread carries on. So
    /// while the join has not finished, the disconnect request is repeated.
    private func stopLoopThread() {
        dispatchPrecondition(condition: .onQueue(control))
        let running = state.withLock { state in
            defer { state.loopThreadRunning = false }
            return state.loopThreadRunning
        }
        guard running, let mosq = handle.withLock({ $0?.pointer }) else { return }
        _ = mosquitto_disconnect(mosq)
        let joined = DispatchSemaphore(value: 0)
        let target = MosquittoHandle(pointer: mosq)
        DispatchQueue.global().async {
            _ = mosquitto_loop_stop(target.pointer, false)
            joined.signal()
        }
        var rounds = 0
        while joined.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
            _ = mosquitto_disconnect(mosq)
            rounds += 1
            if rounds % 25 == 0 {
                logger.warning(
                    "still waiting for libmosquitto's network thread to stop (a reconnect may be in progress)")
            }
        }
    }

    private func onControlQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            control.async { continuation.resume(returning: body()) }
        }
    }

    /// libmosquitto's network thread has ended (or is about to) while we want to be connected:
    /// join it and reconnect with our own attempts, forever (until `stop()`).
    private func startRecovery(reason: String) {
        state.withLock { state in
            guard state.phase == .running else { return }
            state.phase = .recovering
            state.recoveryTask = Task { [self] in
                logger.error(
                    "libmosquitto's network thread stopped (\(reason)); reconnecting in \(configuration.reconnectDelayMin)"
                )
                await onControlQueue { [self] in stopLoopThread() }
                _ = await establish(policy: .keepRetrying, firstDelay: configuration.reconnectDelayMin)
            }
        }
    }

    // MARK: - Callbacks (libmosquitto's network thread)

    func handleConnect(_ mosq: OpaquePointer, code: Int32, flags: Int32) {
        if code == 0 {
            let sessionPresent = flags & 1 != 0
            let proceed: Bool = state.withLock { state in
                if state.isStopping || state.phase == .idle { return false }
                if var attempt = state.attempt {
                    guard attempt.isOpen else { return false }
                    attempt.outcome = .connected(sessionPresent: sessionPresent)
                    state.attempt = attempt
                }
                state.phase = .running
                state.connected = true
                return true
            }
            guard proceed else {
                _ = mosquitto_disconnect(mosq)
                return
            }
            if !traceLibrary { MosquittoCallbacks.removeLog(from: mosq) }
            logger.info("connected to the MQTT broker (session present: \(sessionPresent))")
            eventSink.yield(.connected(sessionPresent: sessionPresent))
            subscribeAll(mosq)
        } else {
            let reason = MosquittoLibrary.refusalText(code, isVersion5: isVersion5)
            logger.error("broker refused the connection: \(reason)")
            eventSink.yield(.connectionRefused(reason: reason))
            let endAttempt: Bool = state.withLock { state in
                if var attempt = state.attempt, attempt.isOpen {
                    attempt.outcome = .refused(reason)
                    state.attempt = attempt
                    return true
                }
                return state.isStopping
            }
            // Stop libmosquitto from retrying on its own while we decide (start-up).
            if endAttempt { _ = mosquitto_disconnect(mosq) }
        }
    }

    private func subscribeAll(_ mosq: OpaquePointer) {
        let options = isVersion5 ? Int32(MQTT_SUB_OPT_SEND_RETAIN_NEW.rawValue) : 0
        for (index, group) in subscriptionPlan.groups.enumerated() {
            var messageID: Int32 = 0
            let rc = mosquitto_subscribe_multiple(
                mosq, &messageID, Int32(group.filters.count), group.cFilters, group.qos.cValue, options, nil)
            if rc == MosquittoLibrary.success {
                state.withLock { $0.pendingSubacks[messageID] = index }
            } else {
                logger.error(
                    "could not send SUBSCRIBE for \(group.filters): \(MosquittoLibrary.errorText(rc, errorNumber: errno))"
                )
            }
        }
    }

    func handleSubscribe(messageID: Int32, granted: UnsafeBufferPointer<Int32>) {
        guard let index = state.withLock({ $0.pendingSubacks.removeValue(forKey: messageID) }) else { return }
        let group = subscriptionPlan.groups[index]
        var results: [MQTTSubscriptionResult] = []
        for (position, filter) in group.filters.enumerated() {
            guard position < granted.count else {
                results.append(
                    .init(topicFilter: filter, requested: group.qos, granted: nil, refusalReason: "missing from SUBACK")
                )
                continue
            }
            let code = granted[position]
            if code >= 0x80 || code < 0 {
                let reason = isVersion5 ? MosquittoLibrary.reasonText(code) : "refused by the broker (0x80)"
                logger.error("broker refused the subscription to '\(filter)': \(reason)")
                results.append(.init(topicFilter: filter, requested: group.qos, granted: nil, refusalReason: reason))
            } else {
                results.append(
                    .init(topicFilter: filter, requested: group.qos, granted: MQTTQoS(rawValue: UInt8(clamping: code))))
            }
        }
        logger.info("subscribed: \(results.map(\.description).joined(separator: ", "))")
        eventSink.yield(.subscribed(results))
    }

    func handleDisconnect(_ mosq: OpaquePointer, code: Int32) {
        // libmosquitto looks at errno (EPROTO) after this callback returns: keep it intact.
        let savedErrno = errno
        defer { errno = savedErrno }
        let serverDisconnect = isVersion5 && (code == 0 || code >= 0x80)
        let reason: String
        if serverDisconnect {
            reason = "the broker ended the connection: \(MosquittoLibrary.reasonText(code))"
        } else if code == 0 {
            reason = "disconnected on request"
        } else {
            reason = MosquittoLibrary.errorText(code, errorNumber: savedErrno)
        }

        let tlsLayerFailure =
            configuration.tls != nil && code == Int32(MOSQ_ERR_ERRNO.rawValue) && savedErrno == EPROTO
        enum Action { case ignore, endAttempt, libraryReconnects, recover }
        let action: Action = state.withLock { state in
            state.connected = false
            state.qos0Pending.removeAll()
            state.pendingSubacks.removeAll()
            if var attempt = state.attempt, attempt.isOpen {
                // EPROTO comes from libmosquitto's TLS layer; OpenSSL does not always leave an
                // error line (e.g. the broker's alert raced with its TCP reset).
                attempt.outcome = tlsLayerFailure ? .tlsFailed : .lost(reason)
                state.attempt = attempt
                return .endAttempt
            }
            guard state.phase == .running else { return .ignore }
            return Self.networkThreadEnds(code: code, errorNumber: savedErrno, serverDisconnect: serverDisconnect)
                ? .recover : .libraryReconnects
        }
        switch action {
        case .ignore:
            break
        case .endAttempt:
            _ = mosquitto_disconnect(mosq)
        case .libraryReconnects, .recover:
            MosquittoCallbacks.installLog(on: mosq)
            logger.warning("lost the connection to the MQTT broker: \(reason); reconnecting with backoff")
            eventSink.yield(.disconnected(reason: reason))
            if action == .recover { startRecovery(reason: reason) }
        }
    }

    /// Whether libmosquitto 2.0.11's `mosquitto_loop_forever` returns (ending the network
    /// thread) instead of reconnecting after this disconnect: after "fatal" return codes,
    /// after a TLS error (errno EPROTO), and when the state became "disconnected" (our request,
    /// or an MQTT 5 DISCONNECT from the broker).
    private static func networkThreadEnds(code: Int32, errorNumber: Int32, serverDisconnect: Bool) -> Bool {
        if serverDisconnect || code == 0 { return true }
        let fatal: [mosq_err_t] = [
            MOSQ_ERR_NOMEM, MOSQ_ERR_PROTOCOL, MOSQ_ERR_INVAL, MOSQ_ERR_NOT_FOUND, MOSQ_ERR_TLS,
            MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED,
            MOSQ_ERR_UNKNOWN, MOSQ_ERR_EAI, MOSQ_ERR_PROXY,
        ]
        if fatal.contains(where: { Int32($0.rawValue) == code }) { return true }
        return code == Int32(MOSQ_ERR_ERRNO.rawValue) && errorNumber == EPROTO
    }

    func handlePublished(messageID: Int32, reasonCode: Int32) {
        state.withLock { state in
            if state.inflight.remove(messageID) != nil || state.qos0Pending.remove(messageID) != nil { return }
            if state.earlyAcks.count > 4096 { state.earlyAcks.removeAll() }
            state.earlyAcks.insert(messageID)
        }
        if reasonCode >= 0x80 {
            logger.error("broker rejected published message \(messageID): \(MosquittoLibrary.reasonText(reasonCode))")
        }
    }

    func handleMessage(_ message: UnsafePointer<mosquitto_message>) {
        let topic = message.pointee.topic
        let view = MQTTMessageView(
            topic: UnsafeRawBufferPointer(start: topic, count: topic.map { strlen($0) } ?? 0),
            payload: UnsafeRawBufferPointer(
                start: message.pointee.payload, count: Int(max(message.pointee.payloadlen, 0))),
            qos: MQTTQoS(rawValue: UInt8(clamping: message.pointee.qos)) ?? .atMostOnce,
            retain: message.pointee.retain,
            messageID: message.pointee.mid)
        onMessage(view)
    }

    func handleLog(_ mosq: OpaquePointer, level: Int32, text: UnsafePointer<CChar>) {
        if level == Self.logDebug {
            if traceLibrary { logger.trace("libmosquitto: \(String(cString: text))") }
            return
        }
        let line = String(cString: text)
        guard level == Self.logError else {
            if level == Self.logWarning {
                logger.warning("libmosquitto: \(line)")
            } else {
                logger.debug("libmosquitto: \(line)")
            }
            return
        }
        logger.debug("libmosquitto error: \(line)")
        let tlsFailure = !Self.tlsReasons([line]).isEmpty
        let recover: Bool = state.withLock { state in
            if var attempt = state.attempt {
                attempt.errorLines.append(line)
                if tlsFailure && attempt.isOpen { attempt.outcome = .tlsFailed }
                state.attempt = attempt
                return false
            }
            // A failed TLS handshake during libmosquitto's own reconnect ends its thread
            // without any disconnect callback: this log line is the only sign.
            return tlsFailure && state.phase == .running && !state.connected
        }
        if recover {
            let reason = "TLS handshake failed: \(Self.tlsReason([line], fallback: line))"
            eventSink.yield(.connectAttemptFailed(reason: reason))
            startRecovery(reason: reason)
        }
    }

    // MARK: - Text

    /// The TLS-related error lines, shortened: "OpenSSL Error[0]: error:0A000086:SSL
    /// routines::certificate verify failed" → "certificate verify failed".
    static func tlsReasons(_ lines: [String]) -> [String] {
        var reasons: [String] = []
        for line in lines {
            var reason: Substring
            if line.hasPrefix("OpenSSL Error") {
                reason = line.split(separator: ":", omittingEmptySubsequences: false).last ?? Substring(line)
            } else if line.contains("host name verification") || line.contains("certificate") || line.contains("TLS")
                || line.contains("SSL")
            {
                reason = Substring(line)
                if reason.hasPrefix("Error: ") { reason = reason.dropFirst("Error: ".count) }
            } else {
                continue
            }
            while reason.last == "." || reason.last == " " { reason = reason.dropLast() }
            while reason.first == " " { reason = reason.dropFirst() }
            let text = String(reason)
            if !text.isEmpty && !reasons.contains(text) { reasons.append(text) }
        }
        return reasons
    }

    static func tlsReason(_ lines: [String], fallback: String) -> String {
        let reasons = tlsReasons(lines)
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }

    private func publishFailureText(_ rc: Int32, topic: String) -> String {
        switch rc {
        case Int32(MOSQ_ERR_NO_CONN.rawValue):
            return "not connected to the broker (QoS 0 messages are not queued while offline)"
        case Int32(MOSQ_ERR_INVAL.rawValue):
            if topic.isEmpty || mosquitto_pub_topic_check(topic) != MosquittoLibrary.success {
                return "'\(topic)' is not a valid topic to publish to (empty, or contains '+' or '#')"
            }
            return MosquittoLibrary.errorText(rc, errorNumber: errno)
        default:
            return MosquittoLibrary.errorText(rc, errorNumber: errno)
        }
    }
}

/// The libmosquitto handle as a value that may cross threads. Sound because `MQTTClient`
/// guarantees it is only used while alive (see its "Why @unchecked Sendable" notes).
private struct MosquittoHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
