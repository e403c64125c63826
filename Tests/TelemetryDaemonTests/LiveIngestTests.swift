import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `telemetryd run` process against a test broker, with its own notify socket.
final class DaemonProcess: Sendable {
    let pid: pid_t
    let log: String
    let notify: NotifySocket

    init(
        brokerPort: Int, dataDir: String, clientID: String, environment extra: [String: String] = [:],
        arguments: [String] = []
    ) throws {
        notify = NotifySocket()
        log = dataDir + ".log"
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify.path
        environment["TELEMETRYD_STATUS_INTERVAL"] = "1s"
        environment.merge(extra) { _, new in new }
        pid = try TestProcess.spawn(
            Executables.directory.appendingPathComponent("telemetryd").path,
            ["run", "--broker", "mqtt://127.0.0.1:\(brokerPort)", "--data-dir", dataDir, "--client-id", clientID] + arguments,
            output: log, environment: environment)
    }

    /// Waits for `READY=1` on the notify socket; false after `timeout`.
    func waitUntilReady(timeout: Duration = .seconds(20)) async -> Bool {
        await waitFor("READY=1", timeout: timeout)
    }

    /// Waits for a notification carrying `state`; false after `timeout`. Reads the socket on
    /// a thread of its own (`offload`), never on the Swift concurrency pool.
    func waitFor(_ state: String, timeout: Duration) async -> Bool {
        await offload { [notify] in Self.receive(state, on: notify, timeout: timeout) }
    }

    private static func receive(_ state: String, on notify: NotifySocket, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let message = notify.receive(), message.split(separator: "\n").contains(Substring(state)) { return true }
        }
        return false
    }

    /// SIGTERM, then the exit code (nil if it did not exit in time).
    func stop(timeout: Duration = .seconds(30)) async -> Int32? {
        kill(pid, SIGTERM)
        let code = await TestProcess.exitCode(of: pid, timeout: timeout)
        if code == nil { kill(pid, SIGKILL); _ = await TestProcess.exitCode(of: pid, timeout: .seconds(5)) }
        return code
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
}

/// Publishes messages with mosquitto_pub at QoS 1, in the given order (one mosquitto_pub per
/// message, all from one shell, so event time order is kept across topics).
func publish(_ messages: [(topic: String, payload: String)], port: Int) async throws {
    let script = NSTemporaryDirectory() + "pub-\(UUID().uuidString.prefix(8)).sh"
    defer { try? FileManager.default.removeItem(atPath: script) }
    let lines = ["set -e"] + messages.map { "mosquitto_pub -h 127.0.0.1 -p \(port) -q 1 -t '\($0.topic)' -m '\($0.payload)'" }
    try lines.joined(separator: "\n").write(toFile: script, atomically: true, encoding: .utf8)
    _ = try await TestProcess.run("/bin/sh", [script], timeout: .seconds(120))
}

/// Polls status.json until `counters.received` reaches `count`.
func waitForReceived(_ count: Int, dataDir: String, timeout: Duration = .seconds(20)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let data = FileManager.default.contents(atPath: dataDir + "/status.json"),
           let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let counters = o["counters"] as? [String: Any], let received = counters["received"] as? Int,
           received >= count { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return false
}

/// Known telemetry of `devices` devices, one message a second from `fromSecond`, with seq.
func knownMessages(baseMs: Int64, devices: Int, seconds: Range<Int>) -> [(topic: String, payload: String)] {
    var out: [(String, String)] = []
    for s in seconds {
        for d in 0..<devices {
            let ts = baseMs + Int64(s) * 1_000 + Int64(d)
            let value = Double((s * 7 + d * 13) % 100) / 4
            out.append(("vn/hanoi/dev\(d)/telemetry", "{\"ts\":\(ts),\"seq\":\(s + 1),\"pm25\":\(value),\"power\":{\"voltage\":\(220 + d)}}"))
        }
    }
    return out
}

/// One message for each device of `messages`, at `ms`: each device's own clock passes
/// the end of every window the test checks (its metric `x`'s windows stay open).
func closers(for messages: [(topic: String, payload: String)], _ ms: Int64) -> [(topic: String, payload: String)] {
    var devices: [String] = []
    for m in messages {
        let parts = m.topic.split(separator: "/")
        let device = "vn/\(parts[1])/\(parts[2])/telemetry"
        if !devices.contains(device) { devices.append(device) }
    }
    return devices.map { ($0, "{\"ts\":\(ms),\"x\":1}") }
}

/// Checks the rollup files against a naive computation over `messages`.
func expectRollupsMatch(_ messages: [(topic: String, payload: String)], dataDir: String) throws {
    let lines = messages.map { "0.0 \($0.topic) \($0.payload)" }
    let expected = ReferenceRollups.compute(captureLines: lines, windows: DaemonConfiguration().windows)
    let rows = try RollupFiles.read(dataDir).rows.filter { !$0.device.hasPrefix("closer") }
    var seen = Set<ReferenceRollups.Key>()
    for row in rows {
        let key = ReferenceRollups.Key(window: row.window, startMs: UTCTimestamp.parse(row.start)!,
                                       site: row.site, device: row.device, metric: row.metric)
        #expect(seen.insert(key).inserted, "split or repeated rollup \(key)")
        guard let values = expected[key] else { Issue.record("unexpected rollup \(key)"); continue }
        let (count, fields) = ReferenceRollups.stats(values)
        #expect(row.count == count, "\(key)")
        for (name, v) in fields { #expect(close(row.values[name]!, v), "\(key) \(name)") }
    }
    let missing = Set(expected.keys).subtracting(seen).sorted { "\($0)" < "\($1)" }
    #expect(missing.isEmpty, "missing rollups: \(missing.prefix(5)) of \(missing.count)")
}

import TelemetryDaemon

@Suite(.serialized) struct LiveIngestTests {
    let baseMs: Int64 = {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let threeHoursAgo = now - 3 * 3_600_000
        return threeHoursAgo - threeHoursAgo % 3_600_000  // an hour start 3 to 4 hours ago
    }()

    @Test func aKnownPublishedSetGivesExactRollupsDeadLettersAndNotifications() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: dir.path + "/data", clientID: "t-\(UUID().uuidString.prefix(6))")
        try #require(await daemon.waitUntilReady(), "no READY=1; log:\n\(daemon.logText)")
        let messages = knownMessages(baseMs: baseMs, devices: 3, seconds: 0..<90)
        let closing = closers(for: messages, baseMs + 2 * 3_600_000)
        try await publish(messages + [("vn/hanoi/dev0/telemetry", "{not json")] + closing, port: broker.port)
        #expect(await waitForReceived(messages.count + 1 + closing.count, dataDir: dir.path + "/data"), "log:\n\(daemon.logText)")
        #expect(await daemon.stop() == 0, "log:\n\(daemon.logText)")
        #expect(await daemon.waitFor("STOPPING=1", timeout: .seconds(2)))
        try expectRollupsMatch(messages, dataDir: dir.path + "/data")
        let deadLetters = FileSystem.files(below: dir.path + "/data/deadletter")
        let text = try deadLetters.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        #expect(text.split(separator: "\n").count == 1, "\(text)")
        #expect(text.contains("\"reason\":\"bad_json\""))
        #expect(text.contains("{not json"))
    }

    @Test func aSimulatedCaptureReplayedThroughTheBrokerGivesTheIndependentlyComputedRollups() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = dir.path + "/fleet.capture"
        let record = try await Executables.run("telemetry-sim", [
            "record", "--out", capture, "--devices", "6", "--duration", "10m", "--seed", "5",
            "--start", UTCTimestamp.format(milliseconds: baseMs)])
        try #require(record.status == 0, "\(record.stderr)")
        // Value-format messages (water level) take their event time from arrival, which live is
        // now, not three hours ago: keep the JSON devices, which carry their own ts.
        let lines = try String(contentsOfFile: capture, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { $0.split(separator: " ")[1].hasSuffix("/telemetry") }
        try (lines.joined(separator: "\n") + "\n").write(toFile: capture, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: dir.path + "/data", clientID: "sim-\(UUID().uuidString.prefix(6))")
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        let replay = try await Executables.run("telemetry-sim", [
            "replay", capture, "--broker", "mqtt://127.0.0.1:\(broker.port)", "--as-fast-as-possible"])
        #expect(replay.status == 0, "\(replay.stderr)")
        let messages = lines.map { line -> (topic: String, payload: String) in
            let parts = line.split(separator: " ", maxSplits: 2)
            return (String(parts[1]), String(parts[2]))
        }
        let closing = closers(for: messages, baseMs + 2 * 3_600_000)
        try await publish(closing, port: broker.port)
        #expect(await waitForReceived(lines.count + closing.count, dataDir: dir.path + "/data"), "log:\n\(daemon.logText)")
        #expect(await daemon.stop() == 0)
        #expect(messages.contains { $0.payload.contains("\"power\":{") })
        try expectRollupsMatch(messages, dataDir: dir.path + "/data")
    }

    @Test func stoppingPublishingOnAndStartingAgainLosesNothingAndCountsNothingTwice() async throws {
        var options = TestBroker.Options()
        options.persistence = true
        let broker = try await TestBroker.started(options)
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data", client = "restart-\(UUID().uuidString.prefix(6))"
        let part1 = knownMessages(baseMs: baseMs, devices: 3, seconds: 0..<40)
        let part2 = knownMessages(baseMs: baseMs, devices: 3, seconds: 40..<80)
        let part3 = knownMessages(baseMs: baseMs, devices: 3, seconds: 80..<130)

        let first = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: client)
        try #require(await first.waitUntilReady(), "log:\n\(first.logText)")
        try await publish(part1, port: broker.port)
        #expect(await waitForReceived(part1.count, dataDir: data))
        #expect(await first.stop() == 0, "log:\n\(first.logText)")

        try await publish(part2, port: broker.port)  // queued by the broker for the persistent session

        let second = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: client)
        try #require(await second.waitUntilReady(), "log:\n\(second.logText)")
        #expect(await waitForReceived(part2.count, dataDir: data), "log:\n\(second.logText)")
        let closing = closers(for: part3, baseMs + 2 * 3_600_000)
        try await publish(part3 + closing, port: broker.port)
        #expect(await waitForReceived(part2.count + part3.count + closing.count, dataDir: data))
        #expect(await second.stop() == 0, "log:\n\(second.logText)")
        #expect(second.logText.contains("restored checkpoint"))

        try expectRollupsMatch(part1 + part2 + part3, dataDir: data)
    }

    @Test func aBrokerRestartLosesNothingAtQoS1() async throws {
        let broker = try await TestBroker.started(TestBroker.Options(persistence: true))
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: "bounce-\(UUID().uuidString.prefix(6))",
                                       environment: ["TELEMETRYD_MQTT_RECONNECT_MIN": "1s", "TELEMETRYD_MQTT_RECONNECT_MAX": "2s"])
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        let part1 = knownMessages(baseMs: baseMs, devices: 2, seconds: 0..<30)
        let part2 = knownMessages(baseMs: baseMs, devices: 2, seconds: 30..<60)
        try await publish(part1, port: broker.port)
        #expect(await waitForReceived(part1.count, dataDir: data))
        broker.stop()
        try await broker.start()  // same port, same persistence: the daemon reconnects by itself
        let closing = closers(for: part2, baseMs + 2 * 3_600_000)
        try await publish(part2 + closing, port: broker.port)
        #expect(await waitForReceived(part1.count + part2.count + closing.count, dataDir: data, timeout: .seconds(30)), "log:\n\(daemon.logText)")
        #expect(await daemon.stop() == 0)
        #expect(daemon.logText.contains("disconnected"))
        try expectRollupsMatch(part1 + part2, dataDir: data)
    }

    @Test func refusedCredentialsGiveAClearLogLineAndANonZeroExit() async throws {
        let broker = try await TestBroker.started(TestBroker.Options(allowAnonymous: false, users: ["ingest": "right"]))
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let passwordFile = dir.write("password", Array("wrong\n".utf8))
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: dir.path + "/data", clientID: "refused",
                                       environment: ["TELEMETRYD_MQTT_USERNAME": "ingest", "TELEMETRYD_MQTT_PASSWORD_FILE": passwordFile])
        let code = await TestProcess.exitCode(of: daemon.pid, timeout: .seconds(30))
        #expect(code != nil && code != 0, "log:\n\(daemon.logText)")
        #expect(daemon.logText.lowercased().contains("not authori"), "log:\n\(daemon.logText)")
        #expect(!daemon.logText.contains("wrong"), "the password must never be logged")
    }

    @Test func theRightPasswordFromAFileConnects() async throws {
        let broker = try await TestBroker.started(TestBroker.Options(allowAnonymous: false, users: ["ingest": "s3cret"]))
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let passwordFile = dir.write("password", Array("s3cret\n".utf8))
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: dir.path + "/data", clientID: "auth",
                                       environment: ["TELEMETRYD_MQTT_USERNAME": "ingest", "TELEMETRYD_MQTT_PASSWORD_FILE": passwordFile,
                                                     "WATCHDOG_USEC": "2000000"])
        #expect(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        #expect(await daemon.waitFor("WATCHDOG=1", timeout: .seconds(5)))
        #expect(await daemon.stop() == 0)
        #expect(!daemon.logText.contains("s3cret"))
    }

    @Test func sighupReloadsAndKeepsRunning() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let daemon = try DaemonProcess(brokerPort: broker.port, dataDir: data, clientID: "hup-\(UUID().uuidString.prefix(6))")
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        kill(daemon.pid, SIGHUP)
        #expect(await daemon.waitFor("READY=1", timeout: .seconds(10)), "no READY=1 after the reload")
        #expect(daemon.logText.contains("SIGHUP: reloaded log.level=info"), "log:\n\(daemon.logText)")
        let messages = knownMessages(baseMs: baseMs, devices: 1, seconds: 0..<5)
        try await publish(messages, port: broker.port)
        #expect(await waitForReceived(messages.count, dataDir: data), "still ingesting after SIGHUP")
        #expect(await daemon.stop() == 0)
    }

    @Test func anUnreachableBrokerAtStartUpGivesAClearLogLineAndANonZeroExit() async throws {
        let port = try TestBroker.freePort()
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let daemon = try DaemonProcess(
            brokerPort: port, dataDir: dir.path + "/data", clientID: "unreachable",
            environment: ["TELEMETRYD_MQTT_CONNECT_ATTEMPTS": "2", "TELEMETRYD_MQTT_RECONNECT_MIN": "1s", "TELEMETRYD_MQTT_RECONNECT_MAX": "1s"])
        let code = await TestProcess.exitCode(of: daemon.pid, timeout: .seconds(30))
        #expect(code != nil && code != 0, "log:\n\(daemon.logText)")
        #expect(daemon.logText.contains("127.0.0.1:\(port)"))
        #expect(daemon.logText.lowercased().contains("connect"))
    }
}
