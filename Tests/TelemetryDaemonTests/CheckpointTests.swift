import Foundation
import Logging
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

@Suite struct CheckpointTests {
    /// Replays `parts` one pipeline each, as if the daemon were stopped and started between
    /// them; only the last closes every window.
    func runInPieces(_ parts: [[String]], dataDir: String, lastCloses: Bool = true) async throws {
        var c = DaemonConfiguration()
        c.dataDirectory = DataDirectory(dataDir)
        for (i, lines) in parts.enumerated() {
            let pipeline = try IngestPipeline(configuration: c, mode: .live, logger: Logger(label: "test"))
            pipeline.start()
            try await pipeline.recover()
            let producer = pipeline.makeProducer()
            for line in lines {
                var bytes = Array(line.utf8)
                bytes.withUnsafeBytes { raw in
                    let p = CaptureLine.parse(raw)!
                    producer.ingest(
                        topic: UnsafeRawBufferPointer(rebasing: raw[p.topic]),
                        payload: UnsafeRawBufferPointer(rebasing: raw[p.payload]), arrivalMs: p.timeMs)
                }
                bytes.removeAll()
            }
            await pipeline.finish(i == parts.count - 1 && lastCloses ? .endOfInput : .stop)
        }
    }

    @Test func aRestartInsideWindowsGivesTheSameRollupsAsAnUninterruptedRun() async throws {
        let lines = cleanCapture(seed: 21, devices: 6, messagesPerDevice: 200, startMs: 1_795_500_003_000)
        let whole = TemporaryDirectory("whole"), pieces = TemporaryDirectory("pieces")
        defer { whole.remove(); pieces.remove() }
        try await runInPieces([lines], dataDir: whole.path)
        let cut1 = lines.count / 3, cut2 = 2 * lines.count / 3
        try await runInPieces([Array(lines[..<cut1]), Array(lines[cut1..<cut2]), Array(lines[cut2...])], dataDir: pieces.path)
        let a = try RollupFiles.read(whole.path).rows, b = try RollupFiles.read(pieces.path).rows
        #expect(a.count == b.count)
        #expect(Set(a.map { "\($0.window) \($0.start) \($0.device) \($0.metric) \($0.count)" })
                == Set(b.map { "\($0.window) \($0.start) \($0.device) \($0.metric) \($0.count)" }))
        for (x, y) in zip(a.sorted { "\($0)" < "\($1)" }, b.sorted { "\($0)" < "\($1)" }) {
            for (field, v) in x.values { #expect(close(v, y.values[field]!), "\(x.window) \(x.start) \(x.device) \(x.metric) \(field)") }
        }
    }

    @Test func duplicatesAcrossARestartAreStillRecognised() async throws {
        let t: Int64 = 1_795_500_000_000
        func line(_ seq: Int, _ offsetMs: Int64) -> String {
            "\(Double(t + offsetMs) / 1000) vn/hanoi/d1/telemetry {\"ts\":\(t + offsetMs),\"seq\":\(seq),\"pm25\":\(seq).5}"
        }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // The broker redelivers messages 2 and 3 after the restart.
        try await runInPieces([[line(1, 0), line(2, 1000), line(3, 2000)], [line(2, 1000), line(3, 2000), line(4, 3000)]],
                        dataDir: dir.path)
        let rows = try RollupFiles.read(dir.path).rows.filter { $0.window == "1m" }
        #expect(rows.count == 1)
        #expect(rows.first?.count == 4)
        let status = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/status.json"))) as! [String: Any]
        #expect((status["counters"] as! [String: Any])["duplicates"] as? Int == 2)
    }

    @Test func anUnreadableCheckpointIsSetAsideAndTheRunGoesOn() async throws {
        let t: Int64 = 1_795_500_000_000
        let line = "\(Double(t) / 1000) vn/hanoi/d1/telemetry {\"ts\":\(t),\"pm25\":2.5}"
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/state", withIntermediateDirectories: true)
        _ = dir.write("state/checkpoint.json", Array("{\"version\":1,\"open\":[tor".utf8))
        try await runInPieces([[line]], dataDir: dir.path)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/state/checkpoint.json.unreadable"))
        let rows = try RollupFiles.read(dir.path).rows.filter { $0.window == "1m" }
        #expect(rows.map(\.count) == [1])
    }
}
