import Foundation
import Testing
import TelemetryTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `telemetryd run` as a `ServiceGroup`: how it stops, in every state it can be stopped in.
@Suite struct ServiceLifecycleTests {
    @Test func aStopSignalWhileStillTryingToConnectIsACleanStop() async throws {
        let port = try TestBroker.freePort()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let daemon = try DaemonProcess(
            brokerPort: port, dataDir: dir.path + "/data", clientID: "patient",
            environment: ["TELEMETRYD_MQTT_CONNECT_ATTEMPTS": "0", "TELEMETRYD_MQTT_RECONNECT_MIN": "1s", "TELEMETRYD_MQTT_RECONNECT_MAX": "1s"])
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(await daemon.stop() == 0, "log:\n\(daemon.logText)")
        #expect(await daemon.waitFor("STOPPING=1", timeout: .seconds(2)))
        #expect(daemon.logText.contains("stopped: 0 messages"), "log:\n\(daemon.logText)")
        #expect(!daemon.logText.contains("cannot connect"), "a requested stop is not a connection failure")
        #expect(daemon.logText.contains("SIGTERM received: stopping"), "log:\n\(daemon.logText)")
    }

    @Test func sigintStopsLikeSigterm() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: "int-\(UUID().uuidString.prefix(6))")
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        kill(daemon.pid, SIGINT)
        #expect(await TestProcess.exitCode(of: daemon.pid, timeout: .seconds(30)) == 0, "log:\n\(daemon.logText)")
        #expect(await daemon.waitFor("STOPPING=1", timeout: .seconds(2)))
        #expect(FileManager.default.fileExists(atPath: data + "/state/checkpoint.json"), "open windows checkpointed")
        #expect(FileManager.default.fileExists(atPath: data + "/status.json"))
        #expect(daemon.logText.contains("SIGINT received: stopping"), "log:\n\(daemon.logText)")
    }

    @Test func aStartUpFailureStillStopsThePipelineInOrder() async throws {
        let port = try TestBroker.freePort()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let daemon = try DaemonProcess(
            brokerPort: port, dataDir: dir.path + "/data", clientID: "doomed",
            environment: ["TELEMETRYD_MQTT_CONNECT_ATTEMPTS": "1"])
        let code = await TestProcess.exitCode(of: daemon.pid, timeout: .seconds(30))
        #expect(code == 1, "log:\n\(daemon.logText)")
        let log = daemon.logText
        let failure = log.range(of: "cannot connect to the broker"), stopped = log.range(of: "stopped: 0 messages")
        #expect(failure != nil && stopped != nil, "log:\n\(log)")
        if let failure, let stopped { #expect(failure.lowerBound < stopped.lowerBound, "the pipeline stops after the clients") }
        #expect(await daemon.waitFor("STOPPING=1", timeout: .seconds(2)))
    }

    @Test func aSighupRaisingTheLogLevelMakesLibmosquittoTraceToo() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("telemetryd.yaml", Array("log:\n  level: info\n".utf8))
        let daemon = try DaemonProcess(
            brokerPort: broker.port, dataDir: dir.path + "/data", clientID: "trace-\(UUID().uuidString.prefix(6))",
            arguments: ["--config", config])
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        _ = dir.write("telemetryd.yaml", Array("log:\n  level: trace\n".utf8))
        kill(daemon.pid, SIGHUP)
        #expect(await daemon.waitFor("READY=1", timeout: .seconds(10)), "no READY=1 after the reload")
        try await publish([(topic: "vn/hanoi/d1/telemetry", payload: "{\"pm25\":1.5}")], port: broker.port)
        #expect(await waitForReceived(1, dataDir: dir.path + "/data"))
        #expect(await daemon.stop() == 0)
        let traced = daemon.logText.split(separator: "\n").filter { $0.contains("libmosquitto: ") && $0.contains("PUBLISH") }
        #expect(!traced.isEmpty, "log:\n\(daemon.logText)")
    }

    @Test func aSecondDaemonOnTheSameDataDirectoryRefusesNamingTheHolder() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let first = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: "first-\(UUID().uuidString.prefix(6))")
        try #require(await first.waitUntilReady(), "log:\n\(first.logText)")
        let second = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: "second-\(UUID().uuidString.prefix(6))")
        let code = await TestProcess.exitCode(of: second.pid, timeout: .seconds(20))
        #expect(code == 1, "log:\n\(second.logText)")
        #expect(second.logText.contains("data directory \(data) is in use by telemetryd PID \(first.pid)"), "log:\n\(second.logText)")
        #expect(await first.stop() == 0)
    }

    @Test func aRetainedMessageIsCountedOnceHoweverOftenTheDaemonRestarts() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data", client = "retain-\(UUID().uuidString.prefix(6))"
        let t: Int64 = 1_795_500_000_000
        try await TestProcess.mosquittoPub(
            port: broker.port, topic: "vn/hanoi/gauge/telemetry", message: "{\"ts\":\(t),\"level\":2.5}", extra: ["-r"])
        for _ in 0..<3 {
            let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: client)
            try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
            try await Task.sleep(for: .milliseconds(500))
            #expect(await daemon.stop() == 0)
        }
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: client)
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        try await TestProcess.mosquittoPub(
            port: broker.port, topic: "vn/hanoi/gauge/telemetry", message: "{\"ts\":\(t + 7_200_000),\"x\":1}")
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(await daemon.stop() == 0)
        let rows = try RollupFiles.read(data).rows.filter { $0.window == "1m" && $0.device == "gauge" }
        #expect(rows.map(\.count) == [1], "the retained reading once, not once per start: \(rows.map(\.count))")
    }

    @Test func twoDaemonsWithTheSameClientIDAreToldApartInTheLog() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let client = "twin-\(UUID().uuidString.prefix(6))"
        let fast = ["TELEMETRYD_MQTT_RECONNECT_MIN": "1s", "TELEMETRYD_MQTT_RECONNECT_MAX": "1s"]
        let a = try DaemonProcess(brokerPort: broker.port, dataDir: dir.path + "/a", clientID: client, environment: fast)
        try #require(await a.waitUntilReady(), "log:\n\(a.logText)")
        let b = try DaemonProcess(brokerPort: broker.port, dataDir: dir.path + "/b", clientID: client, environment: fast)
        let warning = "another client is probably using the client id '\(client)'"
        let deadline = ContinuousClock.now + .seconds(20)
        while !a.logText.contains(warning), !b.logText.contains(warning), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(a.logText.contains(warning) || b.logText.contains(warning), "log a:\n\(a.logText)\nlog b:\n\(b.logText)")
        _ = await b.stop()
        _ = await a.stop()
    }
}
