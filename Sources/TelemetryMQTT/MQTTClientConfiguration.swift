internal import CMosquitto

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Everything `MQTTClient` needs to know to reach, authenticate to and subscribe on a broker.
///
/// A plain value: build it directly, or from a broker URL with
/// `init(brokerURL:clientID:subscriptions:)`, adjust fields, and hand it to `MQTTClient`, which
/// calls `validate()`. `description` never shows the password.
///
/// Sessions: `.clean` starts fresh on every connect (the broker forgets subscriptions and
/// queued messages on disconnect). `.persistent` needs a fixed `clientID` and connects with
/// clean start off, so the broker keeps the subscriptions and queues QoS ≥ 1 messages while we
/// are away; with MQTT 5 the session lives `sessionExpirySeconds` after a disconnect.
///
/// Reconnection: after the first successful connect, libmosquitto's network thread reconnects
/// with a capped backoff between `reconnectDelayMin` and `reconnectDelayMax` (libmosquitto
/// works in whole seconds; its "exponential" backoff is really quadratic: 1, 4, 9, 16, 25, 30 s
/// for 1…30 s). At start-up `startup` decides between giving up after some attempts and
/// retrying forever (doubling the delay from `reconnectDelayMin` up to `reconnectDelayMax`).
///
/// Threading: a plain `Sendable` value; `MQTTClient` keeps an immutable copy.
package struct MQTTClientConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The MQTT protocol level spoken to the broker.
    package enum ProtocolVersion: Sendable, Hashable, CustomStringConvertible {
        case v3_1_1
        case v5

        var cValue: Int32 {
            switch self {
            case .v3_1_1: return MQTT_PROTOCOL_V311
            case .v5: return MQTT_PROTOCOL_V5
            }
        }

        package var description: String { self == .v5 ? "MQTT 5" : "MQTT 3.1.1" }
    }

    /// Clean session (nothing survives a disconnect) or persistent session (the broker keeps
    /// our subscriptions and queues QoS ≥ 1 messages while we are away).
    package enum SessionMode: Sendable, Hashable {
        case clean
        case persistent
    }

    /// What `connect()` does while the broker cannot be reached at start-up.
    package enum StartupPolicy: Sendable, Hashable {
        /// Throw after this many failed attempts (refusals and TLS failures throw at once:
        /// retrying cannot fix them).
        case failAfter(attempts: Int)
        /// Keep trying until connected or `stop()`; each failure is logged and reported as
        /// `.connectAttemptFailed`.
        case keepRetrying
    }

    package static let defaultPort = 1883
    package static let defaultTLSPort = 8883

    package var host: String
    /// nil means the default for the transport: 1883, or 8883 with TLS.
    package var port: Int?
    /// nil lets the broker/libmosquitto pick a random id (clean sessions only).
    package var clientID: String?
    package var keepAliveSeconds: Int
    package var protocolVersion: ProtocolVersion
    package var credentials: MQTTCredentials?
    package var tls: MQTTTLSConfiguration?
    package var subscriptions: [MQTTSubscription]
    package var session: SessionMode
    /// MQTT 5 persistent sessions only: how long the broker keeps the session after we
    /// disconnect (MQTT 3.1.1 sessions last until the broker's own expiry setting).
    package var sessionExpirySeconds: UInt32
    package var reconnectDelayMin: Duration
    package var reconnectDelayMax: Duration
    package var startup: StartupPolicy
    /// How long one connection attempt may wait for the broker's CONNACK (TCP connect itself
    /// is bounded by the operating system).
    package var connectTimeout: Duration
    /// Whether to subscribe again on a connection where the broker kept the session (CONNACK
    /// session present). The broker still has the subscriptions then; subscribing again makes
    /// it resend every retained message (MQTT 3.1.1 §3.8.4), which an ingester would count
    /// again on every restart. True re-subscribes on every connect (robust against a broker
    /// that forgets subscriptions); telemetryd sets it false.
    package var resubscribeWhenSessionPresent = true

    package init(
        host: String,
        port: Int? = nil,
        clientID: String? = nil,
        keepAliveSeconds: Int = 30,
        protocolVersion: ProtocolVersion = .v3_1_1,
        credentials: MQTTCredentials? = nil,
        tls: MQTTTLSConfiguration? = nil,
        subscriptions: [MQTTSubscription] = [],
        session: SessionMode = .clean,
        sessionExpirySeconds: UInt32 = 7 * 24 * 3600,
        reconnectDelayMin: Duration = .seconds(1),
        reconnectDelayMax: Duration = .seconds(30),
        startup: StartupPolicy = .failAfter(attempts: 3),
        connectTimeout: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.keepAliveSeconds = keepAliveSeconds
        self.protocolVersion = protocolVersion
        self.credentials = credentials
        self.tls = tls
        self.subscriptions = subscriptions
        self.session = session
        self.sessionExpirySeconds = sessionExpirySeconds
        self.reconnectDelayMin = reconnectDelayMin
        self.reconnectDelayMax = reconnectDelayMax
        self.startup = startup
        self.connectTimeout = connectTimeout
    }

    /// A configuration for the broker a URL names: host, port, credentials, and TLS for
    /// `mqtts://` (trusting the system store unless `tls` says otherwise).
    package init(
        brokerURL: BrokerURL, clientID: String? = nil, subscriptions: [MQTTSubscription] = [],
        tls: MQTTTLSConfiguration? = nil
    ) {
        self.init(
            host: brokerURL.host, port: brokerURL.port, clientID: clientID, credentials: brokerURL.credentials,
            tls: brokerURL.usesTLS ? (tls ?? MQTTTLSConfiguration(trustRoots: .system)) : nil,
            subscriptions: subscriptions)
    }

    /// The port actually used.
    package var resolvedPort: Int { port ?? (tls == nil ? Self.defaultPort : Self.defaultTLSPort) }

    /// Checks everything that can be checked before connecting.
    package func validate() throws(MQTTError) {
        func fail(_ text: String) -> MQTTError { .invalidConfiguration(text) }
        if host.isEmpty { throw fail("host is empty; give the broker's host name or IP address") }
        if !(1...65_535).contains(resolvedPort) { throw fail("port \(resolvedPort) is not in 1…65535") }
        if !(5...65_535).contains(keepAliveSeconds) {
            throw fail("keep-alive \(keepAliveSeconds) s is not in 5…65535 s")
        }
        if let clientID {
            if clientID.isEmpty { throw fail("client id is empty; leave it unset for a random id") }
            if clientID.utf8.count > 65_535 { throw fail("client id is longer than 65535 bytes") }
        }
        if session == .persistent && clientID == nil {
            throw fail("a persistent session needs a fixed client id (the broker finds the session by it)")
        }
        if let credentials, credentials.username.utf8.count > 65_535 {
            throw fail("username is longer than 65535 bytes")
        }
        if reconnectDelayMin <= .zero { throw fail("reconnect delay minimum must be positive") }
        if reconnectDelayMax < reconnectDelayMin {
            throw fail("reconnect delay maximum (\(reconnectDelayMax)) is below the minimum (\(reconnectDelayMin))")
        }
        if connectTimeout <= .zero { throw fail("connect timeout must be positive") }
        if case .failAfter(let attempts) = startup, attempts < 1 {
            throw fail("start-up attempts must be at least 1 (or use keepRetrying)")
        }
        for subscription in subscriptions {
            if subscription.topicFilter.isEmpty
                || mosquitto_sub_topic_check(subscription.topicFilter) != MosquittoLibrary.success
            {
                throw fail(
                    "'\(subscription.topicFilter)' is not a valid topic filter "
                        + "('+' and '#' must fill a whole level, '#' only at the end)")
            }
        }
        if let tls {
            switch tls.trustRoots {
            case .caFile(let path): try Self.requireReadable(path, what: "CA file")
            case .caDirectory(let path): try Self.requireReadable(path, what: "CA directory")
            case .system:
                if tls.clientCertificate != nil {
                    throw fail("a client certificate needs an explicit CA file or CA directory, not the system store")
                }
            }
            if let client = tls.clientCertificate {
                try Self.requireReadable(client.certificateFile, what: "client certificate file")
                try Self.requireReadable(client.privateKeyFile, what: "client private key file")
            }
        }
    }

    private static func requireReadable(_ path: String, what: String) throws(MQTTError) {
        if path.isEmpty { throw .invalidConfiguration("\(what) path is empty") }
        if access(path, R_OK) != 0 {
            let reason = String(cString: strerror(errno))
            throw .invalidConfiguration("cannot read \(what) '\(path)': \(reason)")
        }
    }

    package var description: String {
        var parts = [
            "\(tls == nil ? "mqtt" : "mqtts")://\(MQTTError.hostPort(host, resolvedPort))",
            protocolVersion.description,
            "client id \(clientID.map { "'\($0)'" } ?? "<random>")",
            session == .persistent ? "persistent session" : "clean session",
            "keep-alive \(keepAliveSeconds) s",
        ]
        if let credentials { parts.append(credentials.description) }
        if let tls { parts.append(tls.description) }
        if !subscriptions.isEmpty {
            parts.append("subscriptions " + subscriptions.map(\.description).joined(separator: ", "))
        }
        return parts.joined(separator: ", ")
    }
}
