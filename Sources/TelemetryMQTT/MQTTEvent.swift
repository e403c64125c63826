/// A change in the client's connection, reported on `MQTTClient.events` (and logged).
///
/// Reasons are the broker's/libmosquitto's words: `mosquitto_connack_string` (MQTT 3.1.1),
/// `mosquitto_reason_string` (MQTT 5) or `mosquitto_strerror`/`strerror` for I/O errors.
///
/// Threading: a plain `Sendable` value, produced on libmosquitto's network thread or the
/// client's tasks and consumed from `MQTTClient.events` in any task.
package enum MQTTEvent: Sendable, Hashable, CustomStringConvertible {
    /// CONNACK accepted the connection. `sessionPresent` is true when the broker still had our
    /// persistent session (and so may now deliver messages queued while we were away).
    case connected(sessionPresent: Bool)
    /// A SUBACK arrived for the subscriptions sent after a connect.
    case subscribed([MQTTSubscriptionResult])
    /// CONNACK refused the connection.
    case connectionRefused(reason: String)
    /// One connection attempt made by `MQTTClient` itself failed (start-up, or recovery after
    /// libmosquitto's network thread stopped); another may follow.
    case connectAttemptFailed(reason: String)
    /// An established connection was lost; the client reconnects with backoff by itself.
    case disconnected(reason: String)
    /// `stop()` finished; this is the last event and the stream ends after it.
    case stopped

    package var description: String {
        switch self {
        case .connected(let sessionPresent):
            return "connected (session present: \(sessionPresent))"
        case .subscribed(let results):
            return "subscribed: " + results.map(\.description).joined(separator: ", ")
        case .connectionRefused(let reason):
            return "connection refused: \(reason)"
        case .connectAttemptFailed(let reason):
            return "connection attempt failed: \(reason)"
        case .disconnected(let reason):
            return "disconnected: \(reason)"
        case .stopped:
            return "stopped"
        }
    }
}
