/// How `telemetryd run` reaches the MQTT broker: the `mqtt.*` configuration keys.
///
/// Defaults are chosen so that nothing is lost out of the box: topic filter `vn/#` at QoS 1
/// and a persistent session (the broker queues QoS ≥ 1 messages while the daemon is away).
/// Threading: an immutable value.
public struct BrokerSettings: Sendable, Equatable {
    /// One subscription.
    public struct Subscription: Sendable, Equatable {
        public var filter: String
        public var qos: Int
        public init(filter: String, qos: Int) {
            self.filter = filter
            self.qos = qos
        }
    }

    /// `mqtt://[user[:pass]@]host[:port]` or `mqtts://…`.
    public var url = "mqtt://127.0.0.1:1883"
    public var subscriptions = [Subscription(filter: "vn/#", qos: 1)]
    /// Fixed client id; nil means `telemetryd-<hostname>`.
    public var clientID: String?
    public var cleanSession = false
    public var keepaliveSeconds = 30
    /// 3 (MQTT 3.1.1) or 5.
    public var protocolVersion = 3
    public var username: String?
    /// A file holding the password (e.g. a systemd credential); trailing newline ignored.
    public var passwordFile: String?
    public var tlsCAFile: String?
    public var tlsCADirectory: String?
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    public var reconnectMinSeconds = 1
    public var reconnectMaxSeconds = 30
    /// Connection attempts at start-up before giving up with a non-zero exit; 0 = forever.
    public var connectAttempts = 5
    /// Number of MQTT connections; topic filters are spread across them.
    public var connections = 1

    public init() {}
}
