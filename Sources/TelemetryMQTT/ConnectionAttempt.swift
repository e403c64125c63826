/// What one of `MQTTClient`'s own connection attempts (start-up or recovery) has learnt so far,
/// filled in by libmosquitto's callbacks through `MQTTConnectionStateMachine`, and the error a
/// failed attempt reports.
///
/// Threading: a plain value inside the state machine.
struct ConnectionAttempt: Equatable, Sendable {
    enum Outcome: Equatable, Sendable {
        case connected(sessionPresent: Bool)
        case refused(String)
        /// The connection closed before CONNACK.
        case lost(String)
        /// libmosquitto's TLS layer failed (its handshake errors have no other signal than
        /// error log lines, or EPROTO on disconnect).
        case tlsFailed
    }

    var outcome: Outcome?
    /// The waiter gave up (timeout/stop/cancel); a late CONNACK must disconnect instead of counting.
    var abandoned = false
    /// libmosquitto's error-level log lines (TLS details only arrive this way).
    var errorLines: [String] = []

    var isOpen: Bool { outcome == nil && !abandoned }

    /// The error of this attempt once it has failed after the network thread started (and has
    /// been joined, so every error line is in). Logged TLS reasons win over everything else;
    /// an attempt without outcome timed out (or its task was `cancelled`).
    func failure(configuration: MQTTClientConfiguration, cancelled: Bool) -> MQTTError {
        let tlsReasons = TLSFailureText.reasons(errorLines)
        if !tlsReasons.isEmpty { return .tls(reason: tlsReasons.joined(separator: "; ")) }
        let host = configuration.host
        let port = configuration.resolvedPort
        switch outcome {
        case .refused(let reason):
            return .refused(reason: reason)
        case .lost(let reason):
            let hint = configuration.tls == nil ? "; if this port expects TLS, use mqtts://" : ""
            return .unreachable(
                host: host, port: port,
                reason: "the connection closed before the broker accepted it (\(reason))\(hint)")
        case .tlsFailed:
            return .tls(reason: TLSFailureText.closedDuringSetUp)
        case .connected, nil:
            if cancelled { return .cancelled }
            return .unreachable(
                host: host, port: port,
                reason: "no CONNACK within \(configuration.connectTimeout) (is this an MQTT port"
                    + (configuration.tls == nil ? ", or one that expects TLS?)" : "?)"))
        }
    }
}
