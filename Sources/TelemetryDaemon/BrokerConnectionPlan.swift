import Foundation
package import TelemetryMQTT

/// Turns `BrokerSettings` into the `MQTTClientConfiguration` of each connection.
///
/// Filters are spread round-robin across `connections`; client ids are
/// `telemetryd-<hostname>` (or `mqtt.client_id`), suffixed `-2`, `-3`, … for the extra
/// connections so every persistent session is stable across restarts. The password comes
/// from `password_file` (trailing newline removed) or the URL; it is never logged.
/// Threading: stateless.
package enum BrokerConnectionPlan {
    package static func clientConfigurations(_ b: BrokerSettings) throws -> [MQTTClientConfiguration] {
        let url = try BrokerURL(parsing: b.url)
        var credentials = url.credentials
        if let user = b.username { credentials = MQTTCredentials(username: user, password: credentials?.password) }
        if let file = b.passwordFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError(key: "mqtt.password_file", found: file, expected: "a readable file holding the password")
            }
            var password = String(decoding: data, as: UTF8.self)
            while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
            guard let user = credentials?.username else {
                throw ConfigurationError(key: "mqtt.username", found: "", expected: "a user name to go with mqtt.password_file")
            }
            credentials = MQTTCredentials(username: user, password: password)
        }
        var tls: MQTTTLSConfiguration? = nil
        if url.usesTLS || b.tlsCAFile != nil || b.tlsCADirectory != nil {
            let roots: MQTTTLSConfiguration.TrustRoots =
                b.tlsCAFile.map { .caFile($0) } ?? b.tlsCADirectory.map { .caDirectory($0) } ?? .system
            let client = b.tlsCertificateFile.flatMap { cert in
                b.tlsKeyFile.map { MQTTTLSConfiguration.ClientCertificate(certificateFile: cert, privateKeyFile: $0) }
            }
            tls = MQTTTLSConfiguration(trustRoots: roots, clientCertificate: client)
        }
        let baseID = b.clientID ?? "telemetryd-\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "host")"
        let count = min(b.connections, b.subscriptions.count)
        return (0..<count).map { k in
            let subscriptions = b.subscriptions.enumerated().filter { $0.offset % count == k }.map {
                MQTTSubscription($0.element.filter, qos: MQTTQoS(rawValue: UInt8($0.element.qos)) ?? .atLeastOnce)
            }
            var configuration = MQTTClientConfiguration(
                host: url.host, port: url.port, clientID: k == 0 ? baseID : "\(baseID)-\(k + 1)",
                keepAliveSeconds: b.keepaliveSeconds, protocolVersion: b.protocolVersion == 5 ? .v5 : .v3_1_1,
                credentials: credentials, tls: tls, subscriptions: subscriptions,
                session: b.cleanSession ? .clean : .persistent,
                reconnectDelayMin: .seconds(b.reconnectMinSeconds), reconnectDelayMax: .seconds(b.reconnectMaxSeconds),
                startup: b.connectAttempts == 0 ? .keepRetrying : .failAfter(attempts: b.connectAttempts))
            // A kept session keeps its subscriptions; subscribing again would make the broker
            // resend every retained message, counted again on each restart.
            configuration.resubscribeWhenSessionPresent = false
            return configuration
        }
    }
}
