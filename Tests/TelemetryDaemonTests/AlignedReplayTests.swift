import Foundation
import Testing
import TelemetryCore
import TelemetryDaemon

/// `windows.align` end to end: the same capture replayed aligned to UTC and to `+07:00`.
@Suite struct AlignedReplayTests {
    /// 2026-12-01T03:00:00Z.
    static let startMs: Int64 = 1_796_094_000_000

    /// Two devices, a reading every 7 minutes for 50 hours (three UTC days, three local ones).
    static let capture: [String] = {
        var lines: [String] = []
        for m in 0..<(50 * 60 / 7) {
            let ms = startMs + Int64(m) * 420_000
            for device in ["aq-1", "aq-2"] {
                let payload = "{\"ts\":\(ms),\"seq\":\(m + 1),\"pm25\":\(Double(m % 41) / 4)}"
                lines.append(String(format: "%.3f", Double(ms + 40) / 1000) + " vn/hanoi/\(device)/telemetry " + payload)
            }
        }
        return lines
    }()

    static func replayed(align: String?) async throws -> [FileRollup] {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("day.capture", Array((capture.joined(separator: "\n") + "\n").utf8))
        _ = try await replay([file], dataDir: dir.path + "/data") { c in
            c.windows = ["1h", "1d"].map { WindowSize(parsing: $0)! }
            if let align { c.windowAlignment = WindowAlignment(parsing: align)! }
        }
        return try RollupFiles.read(dir.path + "/data").rows
    }

    @Test func dayWindowsStartAtLocalMidnightInUTCTimes() async throws {
        let rows = try await Self.replayed(align: "+07:00")
        let days = Set(rows.filter { $0.window == "1d" }.map(\.start))
        #expect(days == ["2026-11-30T17:00:00.000Z", "2026-12-01T17:00:00.000Z", "2026-12-02T17:00:00.000Z"])
        #expect(rows.filter { $0.window == "1d" }.allSatisfy { $0.end.hasSuffix("T17:00:00.000Z") })
    }

    @Test func alignedAndUnalignedReplaysGiveTheSameTotalsPerReading() async throws {
        let utc = try await Self.replayed(align: nil), local = try await Self.replayed(align: "+07:00")
        for window in ["1h", "1d"] {
            for device in ["aq-1", "aq-2"] {
                let a = utc.filter { $0.window == window && $0.device == device }
                let b = local.filter { $0.window == window && $0.device == device }
                #expect(a.reduce(0) { $0 + $1.count } == Self.capture.count / 2)
                #expect(b.reduce(0) { $0 + $1.count } == Self.capture.count / 2)
                #expect(close(a.reduce(0) { $0 + $1.values["sum"]! }, b.reduce(0) { $0 + $1.values["sum"]! }))
            }
        }
        #expect(Set(utc.filter { $0.window == "1h" }) == Set(local.filter { $0.window == "1h" }), "hour windows do not move")
        #expect(Set(utc.filter { $0.window == "1d" }.map(\.start)).allSatisfy { $0.hasSuffix("T00:00:00.000Z") })
    }
}
