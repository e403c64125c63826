import TelemetryTestSupport
import Foundation
import TelemetryMQTT
import Testing

/// What `connect()` does when the broker is not there, or refuses us.
@Suite(.timeLimit(.minutes(1))) struct StartupTests {
    @Test func unreachableBrokerThrowsAfterConfiguredAttempts() async throws {
        let port = try TestBroker.freePort()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: port, reconnectDelayMin: .milliseconds(100),
                startup: .failAfter(attempts: 3)),
            onMessage: { _ in })
        let events = EventRecorder(client)
        let started = ContinuousClock.now
        do {
            try await client.connect()
            Issue.record("connect() should have thrown")
        } catch {
            guard case .unreachable(let host, let reportedPort, let reason) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(host == "127.0.0.1" && reportedPort == port)
            #expect(reason.contains("Connection refused"))
            #expect(error.description.contains("127.0.0.1:\(port)"))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(await eventually { events.count { if case .connectAttemptFailed = $0 { true } else { false } } == 3 })
        #expect(!client.isConnected)
        await client.stop()
    }

    @Test func keepRetryingConnectsOnceBrokerAppears() async throws {
        let broker = try TestBroker()  // port chosen, not started yet
        defer { broker.stop() }
        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port, subscriptions: [MQTTSubscription("late/#")],
                reconnectDelayMin: .milliseconds(100), reconnectDelayMax: .milliseconds(300), startup: .keepRetrying),
            onMessage: recorder.handler)
        let events = EventRecorder(client)
        let connecting = Task { () -> MQTTError? in
            do throws(MQTTError) { try await client.connect() } catch { return error }
            return nil
        }
        #expect(await eventually { events.count { if case .connectAttemptFailed = $0 { true } else { false } } >= 2 })
        #expect(!client.isConnected)
        try await broker.start()
        #expect(await connecting.value == nil)
        #expect(client.isConnected)
        #expect(await eventually { events.subscribedCount == 1 })
        try await TestProcess.mosquittoPub(port: broker.port, topic: "late/hello", message: "hi", qos: 1)
        #expect(await eventually { recorder.messages.count == 1 })
        await client.stop()
    }

    @Test func stopEndsKeepRetryingConnect() async throws {
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: try TestBroker.freePort(), reconnectDelayMin: .milliseconds(100),
                startup: .keepRetrying),
            onMessage: { _ in })
        let connecting = Task { () -> MQTTError? in
            do throws(MQTTError) { try await client.connect() } catch { return error }
            return nil
        }
        try await Task.sleep(for: .milliseconds(300))
        await client.stop()
        #expect(await connecting.value == MQTTError.stopped)
    }

    @Test func wrongPasswordIsRefusedAsNotAuthorised() async throws {
        let broker = try await passwordBroker()
        defer { broker.stop() }
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port,
                credentials: MQTTCredentials(username: "sensor", password: "wrong"),
                startup: .failAfter(attempts: 3)),
            onMessage: { _ in })
        let events = EventRecorder(client)
        do {
            try await client.connect()
            Issue.record("connect() should have thrown")
        } catch {
            guard case .refused(let reason) = error else {
                Issue.record("expected refused, got \(error)")
                return
            }
            #expect(reason.contains("not authorised"))
            #expect(error.description.hasPrefix("broker refused the connection: not authorised"))
            #expect(!error.description.contains("wrong"))
        }
        // Refusals are not retried: one attempt only.
        #expect(await eventually { events.count { if case .connectionRefused = $0 { true } else { false } } == 1 })
        #expect(await eventually { events.count { if case .connectAttemptFailed = $0 { true } else { false } } == 1 })
        await client.stop()
    }

    @Test func rightPasswordConnects() async throws {
        let broker = try await passwordBroker()
        defer { broker.stop() }
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port,
                credentials: MQTTCredentials(username: "sensor", password: "s3cret:@")),
            onMessage: { _ in })
        try await client.connect()
        #expect(client.isConnected)
        await client.stop()
    }

    @Test func wrongPasswordIsRefusedOverMQTT5() async throws {
        let broker = try await passwordBroker()
        defer { broker.stop() }
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port, protocolVersion: .v5,
                credentials: MQTTCredentials(username: "sensor", password: "wrong")),
            onMessage: { _ in })
        await #expect {
            try await client.connect()
        } throws: { error in
            guard case .refused(let reason) = error as? MQTTError else { return false }
            return reason.contains("Not authorized")
        }
        await client.stop()
    }

    private func passwordBroker() async throws -> TestBroker {
        try await TestBroker.started(TestBroker.Options(allowAnonymous: false, users: ["sensor": "s3cret:@"]))
    }
}
