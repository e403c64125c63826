import Foundation
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetrySimulator
import TelemetryStorage

@Suite struct SimulatedFleetTests {
    let start = UTCTimestamp.parse("2026-11-24T05:00:00Z")!

    @Test func aCleanSimulatedCaptureReplaysToTheIndependentlyComputedRollups() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = FleetConfiguration(devices: 15, seed: 42, startMs: start, durationMs: 3_600_000, intervalMs: 10_000, faultRate: 0)
        let (bytes, summary) = try CaptureRecorder.captureBytes(config)
        let capture = dir.write("fleet.capture", bytes)
        let result = try await replay([capture], dataDir: dir.path + "/data")
        #expect(result.messages == summary.messages)
        #expect(result.deadLetters == 0)

        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        let expected = ReferenceRollups.compute(captureLines: lines, windows: DaemonConfiguration().windows)
        let rows = try RollupFiles.read(dir.path + "/data").rows
        #expect(rows.count == expected.count)
        var mismatches = 0
        for row in rows {
            let key = ReferenceRollups.Key(
                window: row.window, startMs: UTCTimestamp.parse(row.start)!, site: row.site, device: row.device, metric: row.metric)
            guard let values = expected[key] else { Issue.record("unexpected \(key)"); continue }
            let (count, fields) = ReferenceRollups.stats(values)
            if row.count != count || fields.contains(where: { !close(row.values[$0.key]!, $0.value) }) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(Set(rows.map(\.metric)).isSuperset(of: ["pm25", "power.voltage", "energy", "water_level"]))
    }

    @Test func deadLettersAndDuplicatesAccountForEverySimulatedFault() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = FleetConfiguration(devices: 20, seed: 9, startMs: start, durationMs: 3_600_000, intervalMs: 10_000, faultRate: 0.05)
        let (bytes, summary) = try CaptureRecorder.captureBytes(config)
        #expect(summary.faults.malformed > 0 && summary.faults.duplicate > 0 && summary.faults.late > 0)
        let capture = dir.write("fleet.capture", bytes)
        let result = try await replay([capture], dataDir: dir.path + "/data")

        let status = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/data/status.json"))) as! [String: Any]
        let counters = status["counters"] as! [String: Int]
        let byReason = status["dead_letters_by_reason"] as! [String: Int]
        let tooLate = byReason["too_late"] ?? 0
        // Every malformed message is exactly one dead letter; every late one, one per reading.
        #expect(result.deadLetters - tooLate == summary.faults.malformed)
        #expect(tooLate >= summary.faults.late)
        #expect(counters["duplicates"] == summary.faults.duplicate)
        #expect(counters["gaps"]! >= Int(summary.faults.seqsSkipped))

        var lines = 0
        for file in FileSystem.files(below: dir.path + "/data/deadletter") {
            lines += try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count
        }
        #expect(lines == result.deadLetters)
    }
}
