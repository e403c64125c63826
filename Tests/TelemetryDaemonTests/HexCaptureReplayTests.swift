import Foundation
import Logging
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetrySimulator
import TelemetryStorage

/// Captures whose payloads are hex (`mosquitto_sub -F '%U %t %x'`, `telemetry-sim record
/// --payload-encoding hex`) replay any payload; raw captures of payloads that span lines say
/// what to do.
@Suite struct HexCaptureReplayTests {
    static let startMs: Int64 = 1_795_500_000_000

    static func configure(_ c: inout DaemonConfiguration) {
        c.templates = [TelegrafBatches.template] + TopicTemplate.defaults
        c.windows = [WindowSize(parsing: "1h")!]
    }

    @Test func aHexCaptureOfTelegrafBatchesReplaysEveryLineOfEveryBatch() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let batches = TelegrafBatches(rounds: 20, startMs: Self.startMs)
        let capture = dir.write("telegraf.hex", batches.capture(startMs: Self.startMs, encoding: .hex))
        let summary = try await replay([capture], dataDir: dir.path + "/data", payloadEncoding: .hex, configure: Self.configure)
        #expect(summary.messages == batches.messages.count)
        #expect(summary.deadLetters == 0)
        #expect(summary.badLines.isEmpty)
        #expect(summary.readings == batches.readings)
        let rows = try RollupFiles.read(dir.path + "/data").rows
        #expect(TelegrafBatches.agree(TelegrafBatches.totals(of: rows, window: "1h"), batches.totals))
    }

    @Test func aRawCaptureOfTelegrafBatchesWarnsThatItsContinuationLinesNeedAHexCapture() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let batches = TelegrafBatches(rounds: 2, startMs: Self.startMs)
        let capture = dir.write("telegraf.txt", batches.capture(startMs: Self.startMs, encoding: .raw))
        let summary = try await replay([capture], dataDir: dir.path + "/data", configure: Self.configure)
        // Each message's first line (cpu) replays alone; its mem line is not a capture line.
        #expect(summary.badLines == [BadCaptureLines(path: capture, encoding: .raw, count: 6, firstLine: 2)])
        #expect(summary.deadLetters == 6)
        let text = summary.badLines.first?.description ?? ""
        #expect(text.contains("capture \(capture): 6 lines are not"), "\(text)")
        #expect(text.contains("mosquitto_sub -F '%U %t %x'"), "\(text)")
        #expect(text.contains("replay with --payload-encoding hex"), "\(text)")
    }

    @Test func aHexCaptureLineWhosePayloadIsNotHexIsABadCaptureLineThatSaysSo() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = "1795500000.000 vn/hanoi/aq-1/telemetry 7b2270" + "6d3235223a317d\n"  // {"pm25":1}
            + "1795500001.000 vn/hanoi/aq-1/telemetry {\"pm25\":2}\n"
        let capture = dir.write("mixed.hex", Array(lines.utf8))
        let summary = try await replay([capture], dataDir: dir.path + "/data", payloadEncoding: .hex) { c in
            c.windows = [WindowSize(parsing: "1h")!]
        }
        #expect(summary.readings == 1)
        #expect(summary.badLines == [BadCaptureLines(path: capture, encoding: .hex, count: 1, firstLine: 2)])
        #expect(summary.badLines.first?.description.contains("is an even number of hex digits") == true)
    }

    @Test func aHexCaptureCarriesEmptyAndBinaryPayloadsAsTheyWere() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // An empty payload, one that is not UTF-8 and one with a NUL: each a message whose
        // dead-letter reason is that of the payload, not bad_capture_line.
        let lines = "1795500000.000 vn/hanoi/aq-1/telemetry \n"
            + "1795500001.000 vn/hanoi/aq-1/telemetry 7bff7d\n"
            + "1795500002.000 vn/hanoi/aq-1/pm25 3100\n"
            + "1795500003.000 vn/hanoi/aq-1/pm25 32\n"
        let capture = dir.write("odd.hex", Array(lines.utf8))
        let c = try await replayStatus(capture, dataDir: dir.path + "/data", encoding: .hex)
        #expect(c.received == 4)
        #expect(c.readings == 1)
        #expect(c.deadLettersByReason[.badCaptureLine] == nil)
        #expect(c.deadLettersByReason[.notUTF8] == 1)
        #expect(c.deadLetters == 3)
    }

    @Test func aSimulatedFleetRecordedAsHexReplaysToTheSameRollupsAsRaw() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let fleet = FleetConfiguration(
            devices: 8, seed: 13, startMs: 1_795_478_400_000, durationMs: 600_000, intervalMs: 10_000, faultRate: 0.2)
        let rawPath = dir.path + "/fleet.txt", hexPath = dir.path + "/fleet.hex"
        let rawSummary = try CaptureRecorder.record(fleet, to: rawPath)
        let hexSummary = try CaptureRecorder.record(fleet, to: hexPath, encoding: .hex)
        #expect(hexSummary.messages == rawSummary.messages)
        let raw = try await replay([rawPath], dataDir: dir.path + "/raw")
        let hex = try await replay([hexPath], dataDir: dir.path + "/hex", payloadEncoding: .hex)
        #expect(hex.messages == raw.messages)
        #expect(hex.readings == raw.readings)
        #expect(hex.deadLetters == raw.deadLetters)
        #expect(hex.rollups == raw.rollups)
        #expect(hex.badLines.isEmpty && raw.badLines.isEmpty)
        let rawLines = try RollupFiles.read(dir.path + "/raw").lines.sorted()
        let hexLines = try RollupFiles.read(dir.path + "/hex").lines.sorted()
        #expect(!rawLines.isEmpty)
        #expect(hexLines == rawLines)
    }

    private func configuration(_ dataDir: String) -> DaemonConfiguration {
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dataDir)
        return c
    }

    /// The pipeline status of replaying one capture with `encoding`.
    private func replayStatus(_ capture: String, dataDir: String, encoding: CapturePayloadEncoding) async throws -> PipelineStatus {
        var c = configuration(dataDir)
        c.windows = [WindowSize(parsing: "1h")!]
        let pipeline = try IngestPipeline(configuration: c, mode: .replay, logger: .init(label: "test"))
        pipeline.start()
        let replayer = CaptureReplayer(producer: pipeline.makeProducer(), payloadEncoding: encoding)
        try replayer.replay(path: capture)
        return await pipeline.finish(.endOfInput)
    }
}
