import Logging
import TelemetryMQTT
import TelemetryTestSupport
import Testing

/// libmosquitto's own log lines, and the log level deciding whether they are traced.
@Suite(.timeLimit(.minutes(1))) struct LibraryLogTests {
    @Test func libmosquittoPacketLinesAreTracedAfterTheLevelIsRaisedWhileConnected() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let logs = LogRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(host: "127.0.0.1", port: broker.port),
            logger: logs.logger(level: .info), onMessage: { _ in })
        try await client.connect()
        try client.publish(topic: "trace/before", payload: "x", qos: .atLeastOnce)
        try await client.waitForPublished(timeout: .seconds(5))
        #expect(!logs.lines.contains { $0.level == .trace })

        client.setLogLevel(.trace)  // what the daemon does on a SIGHUP reload
        try client.publish(topic: "trace/after", payload: "x", qos: .atLeastOnce)
        try await client.waitForPublished(timeout: .seconds(5))
        #expect(
            await eventually {
                logs.lines.contains {
                    $0.level == .trace && $0.message.hasPrefix("libmosquitto: ") && $0.message.contains("PUBLISH")
                        && $0.message.contains("trace/after")
                }
            })
        await client.stop()
    }

    @Test func libmosquittoPacketLinesStopBeingTracedAfterTheLevelIsLowered() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let logs = LogRecorder()
        let client = try MQTTClient(
            configuration: MQTTClientConfiguration(host: "127.0.0.1", port: broker.port),
            logger: logs.logger(level: .trace), onMessage: { _ in })
        try await client.connect()
        try client.publish(topic: "trace/before", payload: "x", qos: .atLeastOnce)
        try await client.waitForPublished(timeout: .seconds(5))
        #expect(await eventually { logs.lines.contains { $0.message.contains("trace/before") } })

        client.setLogLevel(.info)
        try client.publish(topic: "trace/after", payload: "x", qos: .atLeastOnce)
        try await client.waitForPublished(timeout: .seconds(5))
        #expect(!logs.lines.contains { $0.message.contains("trace/after") })
        await client.stop()
    }
}
