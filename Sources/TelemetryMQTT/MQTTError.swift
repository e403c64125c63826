/// Everything `TelemetryMQTT` can fail with, each case carrying what a person needs to fix it.
///
/// `description` is a complete sentence suitable for a log line or a command-line error; it
/// never contains a password.
///
/// The start-up failures of `MQTTClient.connect()` are told apart:
/// - `unreachable`: no MQTT conversation happened (DNS, TCP, timeout, connection closed
///   before CONNACK) — often transient;
/// - `refused`: the broker answered CONNACK with a refusal (credentials, client id, …);
/// - `tls`: the TLS handshake or TLS set-up failed (trust, host name, client certificate).
///
/// Threading: a plain `Sendable` value.
package enum MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration cannot work; the text names the field and what it must be.
    case invalidConfiguration(String)
    /// A broker URL could not be parsed; the text says what was wrong and what is expected.
    case invalidBrokerURL(String)
    /// The broker could not be reached at `host:port`.
    case unreachable(host: String, port: Int, reason: String)
    /// The broker answered and refused the connection (CONNACK reason as text).
    case refused(reason: String)
    /// TLS failed: the reason holds libmosquitto's/OpenSSL's words.
    case tls(reason: String)
    /// A publish could not be handed to libmosquitto.
    case publishFailed(topic: String, reason: String)
    /// `waitForPublished(timeout:)` gave up while QoS ≥ 1 messages were still unacknowledged.
    case publishTimeout(pending: Int)
    /// The call does not fit the client's current state (e.g. `connect()` twice).
    case invalidState(String)
    /// A libmosquitto call failed unexpectedly.
    case library(operation: String, reason: String)
    /// The client was stopped (`stop()`), so the operation cannot be done.
    case stopped
    /// The task waiting in `connect()` was cancelled.
    case cancelled

    /// Whether retrying the same thing later can help without changing any configuration.
    package var isTransient: Bool {
        switch self {
        case .unreachable, .publishTimeout: return true
        default: return false
        }
    }

    package var description: String {
        switch self {
        case .invalidConfiguration(let text):
            return "invalid MQTT configuration: \(text)"
        case .invalidBrokerURL(let text):
            return "invalid broker URL: \(text)"
        case .unreachable(let host, let port, let reason):
            return "MQTT broker at \(Self.hostPort(host, port)) is unreachable: \(reason)"
        case .refused(let reason):
            return "broker refused the connection: \(reason)"
        case .tls(let reason):
            return "TLS handshake failed: \(reason) "
                + "(check that the CA file/directory signs the broker's certificate, that the certificate names "
                + "the host you connect to, and that a client certificate is given if the broker requires one)"
        case .publishFailed(let topic, let reason):
            return "could not publish to '\(topic)': \(reason)"
        case .publishTimeout(let pending):
            return "\(pending) QoS ≥ 1 message(s) still not acknowledged by the broker"
        case .invalidState(let text):
            return text
        case .library(let operation, let reason):
            return "libmosquitto \(operation) failed: \(reason)"
        case .stopped:
            return "the MQTT client has been stopped"
        case .cancelled:
            return "connecting to the MQTT broker was cancelled"
        }
    }

    static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
