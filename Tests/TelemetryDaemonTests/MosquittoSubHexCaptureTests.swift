import Foundation
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryTestSupport

/// Telegraf batches (several Influx lines in one MQTT message) published to a real mosquitto,
/// recorded by the real `mosquitto_sub -F '%U %t %x'`, and replayed by `telemetryd replay
/// --payload-encoding hex`, give the readings and rollups the messages hold.
@Suite(.serialized) struct MosquittoSubHexCaptureTests {
    @Test func telegrafBatchesRecordedByMosquittoSubAsHexReplayToTheirReadings() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = dir.path + "/telegraf.hex", data = dir.path + "/data"
        let recorder = try await HexRecorder.start(port: broker.port, filter: "telegraf/#", output: capture)
        let probesRecorded = recorder.probes

        let nowMs = Int64(Date().timeIntervalSince1970 * 1_000)
        let batches = TelegrafBatches(rounds: 4, startMs: nowMs - 60_000)
        for m in batches.messages {
            try await TestProcess.mosquittoPub(port: broker.port, topic: m.topic, message: m.payload)
        }
        await recorder.stop(afterLines: probesRecorded + batches.messages.count)
        let recorded = HexRecorder.lineCount(capture)
        try #require(recorded >= probesRecorded + batches.messages.count, "capture:\n\(HexRecorder.text(capture))")

        let config = dir.write("telegraf.yaml", Array("""
            templates:
              - "\(TelegrafBatches.template.description)"
            windows: ["1h"]

            """.utf8))
        let replay = try await Executables.run("telemetryd", [
            "replay", "--config", config, "--data-dir", data, "--payload-encoding", "hex", capture])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("replayed \(recorded) messages: \(batches.readings) readings, "
            + "\(recorded - batches.messages.count) dead letters"), "\(replay.stdout)\n\(replay.stderr)")
        #expect(!replay.stderr.contains("bad_capture_line"), "\(replay.stderr)")
        let rows = try RollupFiles.read(data).rows
        let totals = TelegrafBatches.totals(of: rows, window: "1h")
        #expect(TelegrafBatches.agree(totals, batches.totals), "\(totals)\nexpected \(batches.totals)")
    }
}

/// The real `mosquitto_sub -F '%U %t %x'` recording a test broker into a file. Stopped by
/// `stop(afterLines:)`, or when released (a failing test).
final class HexRecorder {
    let pid: pid_t
    let output: String
    /// Probe lines recorded at the start of `output` before `start` returned.
    let probes: Int
    private var stopped = false

    private init(pid: pid_t, output: String, probes: Int) {
        self.pid = pid
        self.output = output
        self.probes = probes
    }

    deinit { if !stopped { TestProcess.terminate(pid, grace: .seconds(2)) } }

    /// Starts recording `filter` (and `probe`) into `output`; returns once mosquitto_sub is
    /// subscribed, which probes published to `probe` show.
    static func start(port: Int, filter: String, output: String) async throws -> HexRecorder {
        let pid = try TestProcess.spawn("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-t", filter, "-t", "probe",
            "-F", CapturePayloadEncoding.hex.mosquittoFormat], output: output)
        var probes = 0
        while lineCount(output) == 0 {
            guard probes < 100 else {
                TestProcess.terminate(pid)
                throw TestProcess.Failure(description: "mosquitto_sub wrote nothing: \(text(output))")
            }
            do {
                try await TestProcess.mosquittoPub(port: port, topic: "probe", message: "p")
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                TestProcess.terminate(pid)
                throw error
            }
            probes += 1
        }
        return HexRecorder(pid: pid, output: output, probes: lineCount(output))
    }

    /// Waits (up to 20 s) until `output` has `afterLines` lines, then stops mosquitto_sub.
    func stop(afterLines: Int) async {
        let deadline = ContinuousClock.now + .seconds(20)
        while Self.lineCount(output) < afterLines, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        stopped = true
        let pid = self.pid
        await offload { TestProcess.terminate(pid, grace: .seconds(2)) }
    }

    static func text(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    static func lineCount(_ path: String) -> Int {
        text(path).split(separator: "\n").count
    }
}

/// `telemetry-sim replay --payload-encoding hex` publishes a hex capture's payloads as they were.
@Suite(.serialized) struct SimulatorHexReplayTests {
    @Test func aHexCapturePublishedBySimReplayIsRecordedBackByMosquittoSubUnchanged() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let batches = TelegrafBatches(rounds: 2, startMs: 1_795_500_000_000)
        let original = dir.write("in.hex", batches.capture(startMs: 1_795_500_000_000, encoding: .hex))
        let recorded = dir.path + "/out.hex"
        let recorder = try await HexRecorder.start(port: broker.port, filter: "telegraf/#", output: recorded)
        let replay = try await Executables.run("telemetry-sim", [
            "replay", original, "--broker", "mqtt://127.0.0.1:\(broker.port)", "--as-fast-as-possible",
            "--qos", "1", "--payload-encoding", "hex"])
        #expect(replay.status == 0, "\(replay.stderr)")
        await recorder.stop(afterLines: recorder.probes + batches.messages.count)
        func topicAndPayload(_ path: String) -> [String] {
            HexRecorder.text(path).split(separator: "\n")
                .map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
                .filter { !$0.hasPrefix("probe ") }
        }
        #expect(topicAndPayload(recorded) == topicAndPayload(original))
    }
}
