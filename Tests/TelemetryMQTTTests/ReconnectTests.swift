import TelemetryTestSupport
import Foundation
import TelemetryMQTT
import Testing

/// Reconnection, re-subscription and persistent sessions.
@Suite(.timeLimit(.minutes(1))) struct ReconnectTests {
    @Test func resubscribesAfterBrokerRestart() async throws {
        let broker = try TestBroker(TestBroker.Options(persistence: true))
        try await broker.start()
        defer { broker.stop() }
        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port, subscriptions: [MQTTSubscription("restart/#")],
                reconnectDelayMin: .seconds(1), reconnectDelayMax: .seconds(2)),
            onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })

        await broker.shutDown()
        #expect(await eventually { !client.isConnected })
        try await broker.start()
        #expect(await eventually(timeout: .seconds(8)) { events.subscribedCount == 2 })
        #expect(events.count { if case .disconnected = $0 { true } else { false } } == 1)
        #expect(events.count { $0 == .connected(sessionPresent: false) } == 2)

        try await TestProcess.mosquittoPub(port: broker.port, topic: "restart/after", message: "back", qos: 1)
        #expect(await eventually { recorder.messages.map(\.topic) == ["restart/after"] })
        await client.stop()
    }

    @Test(arguments: [MQTTClientConfiguration.ProtocolVersion.v3_1_1, .v5])
    func persistentSessionDeliversQoS1MessagesQueuedWhileAway(version: MQTTClientConfiguration.ProtocolVersion)
        async throws
    {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let clientID = testClientID("persist")
        let configuration = MQTTClientConfiguration(
            host: "127.0.0.1", port: broker.port, clientID: clientID, protocolVersion: version,
            subscriptions: [MQTTSubscription("queue/#", qos: .atLeastOnce)], session: .persistent)

        let first = try MQTTClient(configuration: configuration, onMessage: { _ in })
        let firstEvents = EventRecorder(first)
        try await first.connect()
        #expect(await eventually { firstEvents.subscribedCount == 1 })
        await first.stop()

        for index in 1...3 {
            try await TestProcess.mosquittoPub(port: broker.port, topic: "queue/\(index)", message: "m\(index)", qos: 1)
        }

        let recorder = MessageRecorder()
        let second = try MQTTClient(configuration: configuration, onMessage: recorder.handler)
        let secondEvents = EventRecorder(second)
        try await second.connect()
        #expect(await eventually { recorder.messages.count == 3 })
        #expect(recorder.messages.map(\.topic) == ["queue/1", "queue/2", "queue/3"])
        #expect(recorder.messages.map(\.payload) == ["m1", "m2", "m3"].map { Array($0.utf8) })
        #expect(await eventually { secondEvents.events.first == .connected(sessionPresent: true) })
        await second.stop()
    }

    @Test func recoversAfterMQTT5RefusalOnReconnect() async throws {
        // An MQTT 5 CONNACK refusal during libmosquitto's own reconnect ends its network
        // thread for good (MOSQ_ERR_PROTOCOL is "fatal" to mosquitto_loop_forever); the client
        // must notice and keep reconnecting by itself until the broker accepts it again.
        let broker = try TestBroker(TestBroker.Options(allowAnonymous: false, users: ["sensor": "old"]))
        try await broker.start()
        defer { broker.stop() }
        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port, protocolVersion: .v5,
                credentials: MQTTCredentials(username: "sensor", password: "old"),
                subscriptions: [MQTTSubscription("rotate/#")],
                reconnectDelayMin: .milliseconds(300), reconnectDelayMax: .seconds(1)),
            onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })

        // The broker comes back with a rotated password: refused (0x87 Not authorized).
        await broker.shutDown()
        broker.options.users = ["sensor": "new"]
        try await broker.start()
        #expect(
            await eventually(timeout: .seconds(6)) {
                events.count { if case .connectionRefused = $0 { true } else { false } } >= 2
            })
        #expect(!client.isConnected)

        // Rotated back: the client's own recovery attempts get in.
        await broker.shutDown()
        broker.options.users = ["sensor": "old"]
        try await broker.start()
        #expect(await eventually(timeout: .seconds(8)) { events.subscribedCount == 2 && client.isConnected })
        try await TestProcess.mosquittoPub(
            port: broker.port, topic: "rotate/after", message: "in", qos: 1, extra: ["-u", "sensor", "-P", "old"])
        #expect(await eventually { recorder.messages.map(\.topic) == ["rotate/after"] })
        await client.stop()
    }
}
