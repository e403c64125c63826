import Foundation
import Testing
import TelemetryCore
import TelemetryTestSupport

/// `telemetryctl query` before the daemon has written its first rollup.
@Suite struct OpenWindowsMessageTests {
    @Test func queryBeforeTheFirstRollupSaysWindowsAreStillOpenAndWhenTheFirstIsWritten() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let now = UTCTimestamp.format(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let nextClose = "2026-11-24T06:00:15.000Z"
        _ = dir.write("status.json", Array("""
            {"counters":{"received":40,"readings":40},"mode":"live","next_close":"\(nextClose)","open_windows":12,\
            "started":"\(now)","updated":"\(now)","version":1,"windows":["10s","1m","1h"]}
            """.utf8))
        let query = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "query"])
        #expect(query.stdout.isEmpty)
        #expect(query.stderr.contains("still open"), "\(query.stderr)")
        #expect(query.stderr.contains(nextClose), "\(query.stderr)")
        #expect(!query.stderr.contains("is telemetryd running"), "\(query.stderr)")
    }

    @Test func queryWithoutRollupsOrStatusStillSuspectsTheDataDirectory() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let query = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "query"])
        #expect(query.status != 0)
        #expect(query.stderr.contains("is telemetryd running with --data-dir \(dir.path)"), "\(query.stderr)")
    }
}
