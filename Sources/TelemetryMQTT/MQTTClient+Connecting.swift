internal import CMosquitto
import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The client's own connection attempts — `connect()` at start-up, and recovery after
/// libmosquitto's network thread stopped — and joining that thread. The attempt loop's policy
/// and backoff are the state machine's (`attemptFailed(_:)`); this file does the waiting and
/// the libmosquitto calls.
extension MQTTClient {
    enum AttemptResult {
        case connected
        case failed(MQTTError)
    }

    var isStopping: Bool { state.withLock { $0.connection.isStopping } }

    private func stopReason() -> MQTTError { isStopping ? .stopped : .cancelled }

    /// Connection attempts until one succeeds or the state machine gives up (`connect()`'s
    /// start-up policy; a recovery never gives up). `firstDelay` is waited before the first.
    /// On success `handleConnect` has moved the state to `.connected`.
    func establish(firstDelay: Duration?) async -> Result<Void, MQTTError> {
        if let firstDelay, !(await sleepUnlessStopping(firstDelay)) { return .failure(stopReason()) }
        while true {
            if isStopping || Task.isCancelled { return .failure(stopReason()) }
            let error: MQTTError
            switch await attemptOnce() {
            case .connected: return .success(())
            case .failed(let failure): error = failure
            }
            if error == .stopped || error == .cancelled { return .failure(error) }
            announce(.connectAttemptFailed(reason: error.description))
            switch state.withLock({ $0.connection.attemptFailed(error) }) {
            case .giveUp(let final):
                return .failure(final)
            case .retry(let attemptNumber, let delay):
                logger.warning("connection attempt \(attemptNumber) failed: \(error); retrying in \(delay)")
                if !(await sleepUnlessStopping(delay)) { return .failure(stopReason()) }
            }
        }
    }

    /// The body of a recovery task (`.startRecovery`): join the ended network thread, then
    /// attempt until connected or stopped.
    func recover(after delay: Duration) async {
        await onControlQueue { [self] in stopNetworkThread() }
        _ = await establish(firstDelay: delay)
    }

    /// Waits `duration` (a backoff delay); `stop()` beginning or the task's cancellation ends
    /// it early. Returns whether the whole delay passed and the client is still to go on.
    private func sleepUnlessStopping(_ duration: Duration) async -> Bool {
        let reason = await wait(for: .stopRequested, until: .now + duration)
        return reason == .timedOut && !(isStopping || Task.isCancelled)
    }

    /// One attempt: blocking TCP connect + CONNECT (TLS handshake continues on the network
    /// thread), start the network thread, wait for CONNACK. On failure the network thread is
    /// stopped again, so libmosquitto never retries behind our back.
    private func attemptOnce() async -> AttemptResult {
        state.withLock { $0.connection.attemptStarted() }
        if let failure = await onControlQueue({ [self] in startAttempt() }) {
            state.withLock { _ = $0.connection.attemptFinished() }
            return .failed(failure)
        }

        // Until CONNACK, refusal, loss or TLS failure (the callback that records it wakes us),
        // `stop()`, the connect timeout, or cancellation.
        _ = await wait(for: .attemptDecided, until: .now + configuration.connectTimeout)
        if case .connected = state.withLock({ $0.connection.stopWaitingForAttempt() }) {
            state.withLock { _ = $0.connection.attemptFinished() }
            return .connected
        }
        // Failed: make sure libmosquitto's thread is gone before deciding (and before the next
        // attempt), then read every error line it logged.
        await onControlQueue { [self] in stopNetworkThread() }
        let (attempt, stopping) = state.withLock { ($0.connection.attemptFinished(), $0.connection.isStopping) }
        if stopping { return .failed(.stopped) }
        let failed = attempt ?? ConnectionAttempt()
        return .failed(failed.failure(configuration: configuration, cancelled: Task.isCancelled))
    }

    /// The blocking part of an attempt, on the control queue: connect, start the network
    /// thread. Returns the error if either fails.
    private func startAttempt() -> MQTTError? {
        dispatchPrecondition(condition: .onQueue(control))
        guard let mosq = handle.withLock({ $0?.pointer }), !isStopping else { return .stopped }
        updateLogCallback(mosq)  // installed: TLS failures are only reported through it
        let rc = connectProperties.withList { properties in
            mosquitto_connect_bind_v5(
                mosq, configuration.host, Int32(configuration.resolvedPort), Int32(configuration.keepAliveSeconds),
                nil, properties)
        }
        let errorNumber = errno
        guard rc == MosquittoLibrary.success else { return connectFailure(rc, errorNumber: errorNumber) }
        let loop = mosquitto_loop_start(mosq)
        guard loop == MosquittoLibrary.success else {
            _ = mosquitto_disconnect(mosq)
            return .library(
                operation: "mosquitto_loop_start", reason: MosquittoLibrary.errorText(loop, errorNumber: errno))
        }
        state.withLock { $0.connection.networkThreadStarted() }
        return nil
    }

    /// The error of a failed `mosquitto_connect_bind_v5`: TLS if libmosquitto says so or logged
    /// a TLS reason, otherwise the broker is unreachable.
    private func connectFailure(_ rc: Int32, errorNumber: Int32) -> MQTTError {
        let lines = state.withLock { $0.connection.attempt?.errorLines ?? [] }
        let tlsLayer = configuration.tls != nil && rc == Int32(MOSQ_ERR_ERRNO.rawValue) && errorNumber == EPROTO
        if rc == Int32(MOSQ_ERR_TLS.rawValue) || tlsLayer || !TLSFailureText.reasons(lines).isEmpty {
            let fallback =
                tlsLayer ? TLSFailureText.closedDuringSetUp : MosquittoLibrary.errorText(rc, errorNumber: errorNumber)
            return .tls(reason: TLSFailureText.reason(lines, fallback: fallback))
        }
        return .unreachable(
            host: configuration.host, port: configuration.resolvedPort,
            reason: MosquittoLibrary.errorText(rc, errorNumber: errorNumber))
    }

    /// Tells libmosquitto to disconnect and joins its network thread. Control queue only.
    ///
    /// libmosquitto 2.0.11 has a race: if the thread is inside a (blocking) reconnect when we
    /// set the "disconnected" state, the reconnect overwrites it and the thread carries on. So
    /// while the join has not finished, the disconnect request is repeated.
    func stopNetworkThread() {
        dispatchPrecondition(condition: .onQueue(control))
        let running = state.withLock { $0.connection.networkThreadStopping() }
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

    func onControlQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            control.async { continuation.resume(returning: body()) }
        }
    }
}
