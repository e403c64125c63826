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
        let sub = try TestProcess.spawn("/usr/bin/mosquitto_sub", [
            "-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", "telegraf/#", "-t", "probe",
            "-F", CapturePayloadEncoding.hex.mosquittoFormat], output: capture)
        defer { TestProcess.terminate(sub, grace: .seconds(2)) }

        // Probes until mosquitto_sub is subscribed (each one is a capture line too).
        var probes = 0
        while lineCount(capture) == 0 {
            try #require(probes < 100, "mosquitto_sub wrote nothing: \(text(capture))")
            try await TestProcess.mosquittoPub(port: broker.port, topic: "probe", message: "p")
            probes += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        let probesRecorded = lineCount(capture)

        let nowMs = Int64(Date().timeIntervalSince1970 * 1_000)
        let batches = TelegrafBatches(rounds: 4, startMs: nowMs - 60_000)
        for m in batches.messages {
            try await TestProcess.mosquittoPub(port: broker.port, topic: m.topic, message: m.payload)
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while lineCount(capture) < probesRecorded + batches.messages.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        TestProcess.terminate(sub, grace: .seconds(2))
        // Wait for the last probes in flight: they may land after the count was taken.
        let recorded = lineCount(capture)
        try #require(recorded >= probesRecorded + batches.messages.count, "capture:\n\(text(capture))")

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

    private func text(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    private func lineCount(_ path: String) -> Int {
        text(path).split(separator: "\n").count
    }
}
