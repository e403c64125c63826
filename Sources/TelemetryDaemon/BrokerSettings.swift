/// How `telemetryd run` reaches the MQTT broker: the `mqtt.*` configuration keys.
///
/// Defaults are chosen so that nothing is lost out of the box: topic filter `vn/#` at QoS 1
/// and a persistent session (the broker queues QoS ≥ 1 messages while the daemon is away).
/// Threading: an immutable value.
package struct BrokerSettings: Sendable, Equatable {
    /// One subscription.
    package struct Subscription: Sendable, Equatable {
        package var filter: String
        package var qos: Int
        package init(filter: String, qos: Int) {
            self.filter = filter
            self.qos = qos
        }
    }

    /// `mqtt://[user[:pass]@]host[:port]` or `mqtts://…`.
    package var url = "mqtt://127.0.0.1:1883"
    package var subscriptions = [Subscription(filter: "vn/#", qos: 1)]
    /// Fixed client id; nil means `telemetryd-<hostname>`.
    package var clientID: String?
    package var cleanSession = false
    package var keepaliveSeconds = 30
    /// 3 (MQTT 3.1.1) or 5.
    package var protocolVersion = 3
    package var username: String?
    /// A file holding the password (e.g. a systemd credential); trailing newline ignored.
    package var passwordFile: String?
    package var tlsCAFile: String?
    package var tlsCADirectory: String?
    package var tlsCertificateFile: String?
    package var tlsKeyFile: String?
    package var reconnectMinSeconds = 1
    package var reconnectMaxSeconds = 30
    /// Connection attempts at start-up before giving up with a non-zero exit; 0 = forever.
    package var connectAttempts = 5
    /// Number of MQTT connections; topic filters are spread across them.
    package var connections = 1

    package init() {}
}
