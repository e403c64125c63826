import TelemetryTestSupport
import Foundation
import TelemetryMQTT
import Testing

/// Receiving and publishing through a real broker.
@Suite(.timeLimit(.minutes(1))) struct MessagingTests {
    @Test func receivesQoS1MessagesWithExactTopicsAndPayloads() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port,
                subscriptions: [MQTTSubscription("sites/+/telemetry", qos: .atLeastOnce)]),
            onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })
        #expect(
            events.events.contains(
                .subscribed([
                    MQTTSubscriptionResult(
                        topicFilter: "sites/+/telemetry", requested: .atLeastOnce, granted: .atLeastOnce)
                ])))

        try await TestProcess.mosquittoPub(
            port: broker.port, topic: "sites/hanoi-01/telemetry", message: "t=21.5", qos: 1)
        try await TestProcess.mosquittoPub(
            port: broker.port, topic: "sites/hue-02/telemetry", message: "{\"t\":30}", qos: 1)
        try await TestProcess.mosquittoPub(port: broker.port, topic: "sites/hue-02/status", message: "ignored", qos: 1)

        #expect(await eventually { recorder.messages.count >= 2 })
        #expect(
            recorder.messages == [
                ReceivedMessage(
                    topic: "sites/hanoi-01/telemetry", payload: Array("t=21.5".utf8), qos: .atLeastOnce, retain: false),
                ReceivedMessage(
                    topic: "sites/hue-02/telemetry", payload: Array("{\"t\":30}".utf8), qos: .atLeastOnce, retain: false
                ),
            ])
        #expect(client.isConnected)
        await client.stop()
        #expect(!client.isConnected)
    }

    @Test func receivesBinaryPayloadsIntact() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        var payload: [UInt8] = [0x00, 0xFF, 0xFE, 0x80, 0xC3, 0x28, 0x0A, 0x00]
        payload += (0...255).map { UInt8($0) }
        let file = broker.directory.appendingPathComponent("payload.bin")
        try Data(payload).write(to: file)

        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port, subscriptions: [MQTTSubscription("bin/#")]),
            onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })
        try await TestProcess.mosquittoPub(port: broker.port, topic: "bin/raw", file: file.path, qos: 1)
        try await TestProcess.mosquittoPub(port: broker.port, topic: "bin/empty", message: "", qos: 1, extra: [])

        #expect(await eventually { recorder.messages.count >= 2 })
        #expect(recorder.messages.first?.payload == payload)
        #expect(
            recorder.messages.last == ReceivedMessage(topic: "bin/empty", payload: [], qos: .atLeastOnce, retain: false)
        )
        await client.stop()
    }

    @Test func publishedQoS1MessagesAreAcknowledgedAndDelivered() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let recorder = MessageRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port, subscriptions: [MQTTSubscription("loop/#")]),
            onMessage: recorder.handler)
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })

        for index in 0..<50 {
            try client.publish(topic: "loop/\(index)", payload: [UInt8(index), 0xFF], qos: .atLeastOnce)
        }
        try client.publish(topic: "loop/qos0", payload: "zero", qos: .atMostOnce)
        try await client.waitForPublished(timeout: .seconds(5))
        #expect(client.inFlightCount == 0)
        #expect(await eventually { recorder.messages.count == 51 })
        #expect(
            recorder.messages.first
                == ReceivedMessage(topic: "loop/0", payload: [0, 0xFF], qos: .atLeastOnce, retain: false))
        await client.stop()
    }

    @Test func refusedSubscriptionIsReported() async throws {
        let broker = try await TestBroker.started(TestBroker.Options(allowedSubscriptions: ["allowed/#"]))
        defer { broker.stop() }

        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(
                host: "127.0.0.1", port: broker.port,
                subscriptions: [MQTTSubscription("allowed/#"), MQTTSubscription("secret/#")]),
            onMessage: { _ in })
        let events = EventRecorder(client)
        try await client.connect()
        #expect(await eventually { events.subscribedCount == 1 })
        guard
            case .subscribed(let results)? = events.events.first(where: {
                if case .subscribed = $0 { true } else { false }
            })
        else {
            Issue.record("no SUBACK")
            return
        }
        #expect(results.first { $0.topicFilter == "allowed/#" }?.granted == .atLeastOnce)
        #expect(results.first { $0.topicFilter == "secret/#" }?.isRefused == true)
        await client.stop()
    }

    @Test func publishAfterStopThrowsStopped() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(host: "127.0.0.1", port: broker.port), onMessage: { _ in })
        try await client.connect()
        await client.stop()
        await client.stop()  // idempotent
        #expect(throws: MQTTError.stopped) { try client.publish(topic: "x", payload: "y") }
        await #expect(throws: MQTTError.stopped) { try await client.connect() }
    }

    @Test func qos0PublishWhileDisconnectedFailsWithReason() async throws {
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(host: "127.0.0.1", port: try TestBroker.freePort()),
            onMessage: { _ in })
        defer { Task { await client.stop() } }
        do {
            try client.publish(topic: "x", payload: "y", qos: .atMostOnce)
            Issue.record("publish should have failed")
        } catch {
            guard case .publishFailed(_, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(reason.contains("not connected"))
        }
        await client.stop()
    }
}
