import Foundation
import Testing
import TelemetryTestSupport
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// A payload over `limits.max_payload_bytes` is dead-lettered, truncated, with its real length.
@Suite struct OversizedDeadLetterTests {
    @Test func aFiftyMegabytePayloadBecomesOneTruncatedDeadLetterWithItsRealLength() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let payload = "{\"pm25\":1,\"pad\":\"" + String(repeating: "ab", count: 25_000_000) + "\"}"
        let capture = dir.write("big.capture", Array("1795500000.000 vn/hanoi/d1/telemetry \(payload)\n".utf8))
        let summary = try await replay([capture], dataDir: dir.path + "/data")
        #expect(summary.deadLetters == 1)
        let files = FileSystem.files(below: dir.path + "/data/deadletter")
        try #require(files.count == 1)
        let lines = try String(contentsOfFile: files[0], encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 1)
        #expect(lines[0].utf8.count < 8_192)
        let o = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(o["reason"] as? String == "too_large")
        #expect(o["payload_truncated"] as? Bool == true)
        #expect((o["payload_bytes"] as? NSNumber)?.intValue == payload.utf8.count)
        #expect(o["payload"] as? String == String(payload.prefix(4_096)))
    }
}
