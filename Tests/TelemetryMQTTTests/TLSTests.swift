import TelemetryTestSupport
import Foundation
import TelemetryMQTT
import Testing

/// TLS against a mosquitto TLS listener with certificates made by `openssl` per test.
@Suite(.timeLimit(.minutes(1))) struct TLSTests {
    private func tlsBroker(requireClientCertificate: Bool = false) async throws -> (TestBroker, TestPKI) {
        let broker = try TestBroker()
        let pki = try await TestPKI.make(in: broker.directory)
        broker.options.tls = TestBroker.TLSListener(
            caFile: pki.caFile, certificateFile: pki.serverCertificate, keyFile: pki.serverKey,
            requireCertificate: requireClientCertificate)
        try await broker.start()
        return (broker, pki)
    }

    private func tlsPub(
        _ broker: TestBroker, _ pki: TestPKI, topic: String, message: String, clientCertificate: Bool = false
    )
        async throws
    {
        var extra = ["--cafile", pki.caFile]
        if clientCertificate { extra += ["--cert", pki.clientCertificate, "--key", pki.clientKey] }
        try await TestProcess.mosquittoPub(port: broker.port, topic: topic, message: message, qos: 1, extra: extra)
    }

    private func configuration(
        _ broker: TestBroker, host: String = "127.0.0.1", caFile: String,
        clientCertificate: MQTTTLSConfiguration.ClientCertificate? = nil
    ) -> MQTTClientConfiguration {
        MQTTClientConfiguration(
            host: host, port: broker.port,
            tls: MQTTTLSConfiguration(trustRoots: .caFile(caFile), clientCertificate: clientCertificate),
            subscriptions: [MQTTSubscription("secure/#")], startup: .failAfter(attempts: 1),
            connectTimeout: .seconds(5))
    }

    @Test func trustedChainConnectsAndReceives() async throws {
        let (broker, pki) = try await tlsBroker()
        defer { broker.stop() }
        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: configuration(broker, caFile: pki.caFile), onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })
        try await tlsPub(broker, pki, topic: "secure/a", message: "encrypted")
        #expect(await eventually { recorder.messages.map(\.payload) == [Array("encrypted".utf8)] })
        await client.stop()
    }

    @Test func mutualTLSWithClientCertificateConnectsAndReceives() async throws {
        let (broker, pki) = try await tlsBroker(requireClientCertificate: true)
        defer { broker.stop() }
        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: configuration(
                broker, caFile: pki.caFile,
                clientCertificate: .init(certificateFile: pki.clientCertificate, privateKeyFile: pki.clientKey)),
            onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })
        try await tlsPub(broker, pki, topic: "secure/mutual", message: "both sides", clientCertificate: true)
        #expect(await eventually { recorder.messages.count == 1 })
        await client.stop()
    }

    @Test func missingClientCertificateIsRefusedWithTLSError() async throws {
        let (broker, pki) = try await tlsBroker(requireClientCertificate: true)
        defer { broker.stop() }
        let client = try MQTTClient(configuration: configuration(broker, caFile: pki.caFile), onMessage: { _ in })
        await #expect {
            try await client.connect()
        } throws: { error in
            guard case .tls(let reason) = error as? MQTTError else { return false }
            return reason.contains("certificate")
        }
        #expect(!client.isConnected)
        await client.stop()
    }

    @Test func wrongCAIsRefusedWithTLSError() async throws {
        let (broker, pki) = try await tlsBroker()
        defer { broker.stop() }
        let client = try MQTTClient(configuration: configuration(broker, caFile: pki.otherCAFile), onMessage: { _ in })
        do {
            try await client.connect()
            Issue.record("connect() should have thrown")
        } catch {
            guard case .tls(let reason) = error else {
                Issue.record("expected a TLS error, got \(error)")
                return
            }
            #expect(reason.contains("certificate verify failed"))
            #expect(error.description.hasPrefix("TLS handshake failed: certificate verify failed"))
        }
        await client.stop()
    }

    @Test func hostnameMismatchIsRefused() async throws {
        // The broker's certificate names 127.0.0.1 only; "localhost" reaches the same listener.
        let (broker, pki) = try await tlsBroker()
        defer { broker.stop() }
        let client = try MQTTClient(
            configuration: configuration(broker, host: "localhost", caFile: pki.caFile), onMessage: { _ in })
        do {
            try await client.connect()
            Issue.record("connect() should have thrown")
        } catch {
            guard case .tls(let reason) = error else {
                Issue.record("expected a TLS error, got \(error)")
                return
            }
            #expect(reason.contains("host name verification failed"))
        }
        await client.stop()
    }

    @Test func recoversAfterTLSFailureOnReconnect() async throws {
        // A failed TLS handshake during libmosquitto's own reconnect ends its network thread
        // without any disconnect callback (only an error log line); the client must notice and
        // reconnect by itself once the broker presents a trusted certificate again.
        let (broker, pki) = try await tlsBroker()
        defer { broker.stop() }
        let recorder = MessageRecorder()
        var settings = configuration(broker, caFile: pki.caFile)
        settings.reconnectDelayMin = .milliseconds(300)
        settings.reconnectDelayMax = .seconds(1)
        let client = try MQTTClient(configuration: settings, onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })

        await broker.shutDown()
        broker.options.tls?.certificateFile = pki.otherServerCertificate
        broker.options.tls?.keyFile = pki.otherServerKey
        try await broker.start()
        #expect(
            await eventually(timeout: .seconds(6)) {
                events.count {
                    if case .connectAttemptFailed(let reason) = $0 {
                        return reason.contains("certificate verify failed")
                    }
                    return false
                } >= 2
            })

        await broker.shutDown()
        broker.options.tls?.certificateFile = pki.serverCertificate
        broker.options.tls?.keyFile = pki.serverKey
        try await broker.start()
        #expect(await eventually(timeout: .seconds(8)) { events.subscribedCount == 2 && client.isConnected })
        try await tlsPub(broker, pki, topic: "secure/again", message: "trusted")
        #expect(await eventually { recorder.messages.map(\.topic) == ["secure/again"] })
        await client.stop()
    }

    @Test func missingCAFileIsAConfigurationError() throws {
        #expect {
            _ = try MQTTClient(
                configuration: MQTTClientConfiguration(
                    host: "127.0.0.1", tls: MQTTTLSConfiguration(trustRoots: .caFile("/nonexistent/ca.crt"))),
                onMessage: { _ in })
        } throws: { error in
            guard case .invalidConfiguration(let text) = error as? MQTTError else { return false }
            return text.contains("/nonexistent/ca.crt") && text.contains("CA file")
        }
    }
}
