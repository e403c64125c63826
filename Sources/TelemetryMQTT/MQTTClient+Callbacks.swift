internal import CMosquitto
import Logging
import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// libmosquitto's callbacks (forwarded by `MosquittoCallbacks`, on its network thread), and
/// carrying out the state machine's actions.
extension MQTTClient {
    typealias Action = MQTTConnectionStateMachine.Action

    private static let logError: Int32 = 0x08  // MOSQ_LOG_ERR
    private static let logWarning: Int32 = 0x04  // MOSQ_LOG_WARNING
    private static let logDebug: Int32 = 0x10  // MOSQ_LOG_DEBUG

    // MARK: - Transitions and actions

    /// The actions of one transition, with the wake-ups its `.resumeWaiters` release: taken
    /// out of `ClientState` under the same lock as the transition, so exactly the tasks that
    /// were waiting then are woken (a later one finds `hasHappened` true and does not wait).
    struct Transition {
        var actions: [Action]
        var released: [MQTTConnectionStateMachine.Awaited: [Wakeup]] = [:]
    }

    /// Runs one transition of the state machine under the state lock and returns its actions,
    /// for `perform(_:on:)` (see `collect(_:in:)`).
    func transition(_ body: (inout MQTTConnectionStateMachine) -> [Action]) -> Transition {
        state.withLock { state in collect(body(&state.connection), in: &state) }
    }

    /// Under the state lock, the parts of actions that must happen inside it: the task of a
    /// `.startRecovery` is created here, so that a concurrent `stop()` always finds it to
    /// cancel and await; the wake-ups of a `.resumeWaiters` are taken here.
    func collect(_ actions: [Action], in state: inout ClientState) -> Transition {
        var transition = Transition(actions: actions)
        for action in actions {
            switch action {
            case .startRecovery(_, let delay):
                state.recoveryTask = Task { [self] in await recover(after: delay) }
            case .resumeWaiters(let awaited):
                transition.released[awaited, default: []] += state.release(awaited)
            default:
                break
            }
        }
        return transition
    }

    /// Carries out actions in order (without holding any lock of the client). `mosq` is nil
    /// where calling into libmosquitto is not allowed — inside its log callback, where it
    /// would deadlock on its log mutex, and in `stop()`; the state machine never asks for
    /// that there.
    func perform(_ transition: Transition, on mosq: OpaquePointer?) {
        for action in transition.actions {
            switch action {
            case .emit(let event):
                announce(event)
            case .startRecovery(let reason, let delay):
                logger.error("libmosquitto's network thread stopped (\(reason)); reconnecting in \(delay)")
            case .resumeWaiters(let awaited):
                for wakeup in transition.released[awaited] ?? [] { wakeup.fire() }
            case .subscribe, .disconnect, .updateLogCallback:
                guard let mosq else {
                    assertionFailure("\(action) requested inside libmosquitto's log callback")
                    continue
                }
                switch action {
                case .subscribe: subscribeAll(mosq)
                case .disconnect: _ = mosquitto_disconnect(mosq)
                default: updateLogCallback(mosq)
                }
            }
        }
    }

    /// Logs an event and puts it on `events` — the one place both happen.
    func announce(_ event: MQTTEvent) {
        switch event {
        case .connected(let sessionPresent):
            logger.info("connected to the MQTT broker (session present: \(sessionPresent))")
        case .subscribed(let results):
            logger.info("subscribed: \(results.map(\.description).joined(separator: ", "))")
        case .connectionRefused(let reason):
            logger.error("broker refused the connection: \(reason)")
        case .disconnected(let reason):
            logger.warning("lost the connection to the MQTT broker: \(reason); reconnecting with backoff")
        case .connectAttemptFailed:
            break  // logged where the attempt failed, with what happens next
        case .stopped:
            logger.debug("MQTT client stopped")
        }
        eventSink.yield(event)
    }

    /// Installs or removes libmosquitto's log callback as the state machine wants it for the
    /// logger's current level. Under `logCallbackLock`, so concurrent callers (network thread,
    /// control queue, `setLogLevel`) apply the state they read in order: the last one wins.
    func updateLogCallback(_ mosq: OpaquePointer) {
        logCallbackLock.withLock { _ in
            let tracing = logger.logLevel <= .trace
            if state.withLock({ $0.connection.wantsLibraryLog(tracing: tracing) }) {
                MosquittoCallbacks.installLog(on: mosq)
            } else {
                MosquittoCallbacks.removeLog(from: mosq)
            }
        }
    }

    // MARK: - Callbacks (libmosquitto's network thread)

    func handleConnect(_ mosq: OpaquePointer, code: Int32, flags: Int32) {
        let actions: Transition
        if code == 0 {
            actions = transition { $0.connackAccepted(sessionPresent: flags & 1 != 0) }
        } else {
            let reason = MosquittoLibrary.refusalText(code, isVersion5: isVersion5)
            actions = transition { $0.connackRefused(reason: reason) }
        }
        perform(actions, on: mosq)
    }

    /// Sends one SUBSCRIBE per subscription group (on every connect: a clean session forgets
    /// them, and re-subscribing to a persistent one is harmless).
    private func subscribeAll(_ mosq: OpaquePointer) {
        let options = isVersion5 ? Int32(MQTT_SUB_OPT_SEND_RETAIN_NEW.rawValue) : 0
        for (index, group) in subscriptionPlan.groups.enumerated() {
            var messageID: Int32 = 0
            let rc = mosquitto_subscribe_multiple(
                mosq, &messageID, Int32(group.filters.count), group.cFilters, group.qos.cValue, options, nil)
            if rc == MosquittoLibrary.success {
                state.withLock { $0.connection.subscriptionSent(messageID: messageID, group: index) }
            } else {
                logger.error(
                    "could not send SUBSCRIBE for \(group.filters): \(MosquittoLibrary.errorText(rc, errorNumber: errno))"
                )
            }
        }
    }

    func handleSubscribe(messageID: Int32, granted: UnsafeBufferPointer<Int32>) {
        guard let index = state.withLock({ $0.connection.subackReceived(messageID: messageID) }) else { return }
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
        announce(.subscribed(results))
    }

    func handleDisconnect(_ mosq: OpaquePointer, code: Int32) {
        // libmosquitto looks at errno (EPROTO) after this callback returns: keep it intact.
        let savedErrno = errno
        defer { errno = savedErrno }
        let disconnect = MQTTConnectionStateMachine.Disconnect(
            code: code, errorNumber: savedErrno, isVersion5: isVersion5, usesTLS: configuration.tls != nil)
        publishes.withLock { $0.connectionLost() }
        perform(transition { $0.disconnected(disconnect) }, on: mosq)
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

    /// libmosquitto's log callback: runs holding libmosquitto's log mutex (on the network
    /// thread, or the control queue during a blocking connect), so it must not call back into
    /// libmosquitto. Debug lines are traced; error lines feed the state machine, because TLS
    /// failures are reported only this way.
    func handleLog(level: Int32, text: UnsafePointer<CChar>) {
        if level == Self.logDebug {
            logger.trace("libmosquitto: \(String(cString: text))")
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
        let tlsFailure = TLSFailureText.reason(ofLine: line)
        perform(transition { $0.errorLogged(line, tlsFailure: tlsFailure) }, on: nil)
    }
}
