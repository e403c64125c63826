import Foundation
import Testing
import TelemetryTestSupport
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// A replay into a data directory where someone planted symbolic links pointing outside it.
@Suite struct PlantedLinkReplayTests {
    /// One reading at 2026-11-24T06:00:05Z and a later one that closes its windows: the
    /// replay writes `rollups/<w>/2026-11-24/06.jsonl` for every window.
    static let capture = """
        1795500005.000 vn/hanoi/d1/telemetry {"ts":1795500005000,"pm25":5}
        1795500100.000 vn/hanoi/d1/telemetry {"ts":1795500100000,"pm25":6}

        """
    static let outsideContent = Data("not telemetryd's\ntorn".utf8)

    @Test func aReplayIntoALinkedHourFileFailsAndLeavesTheLinkedFileAlone() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data", outside = dir.write("outside.txt", Array(Self.outsideContent))
        try FileManager.default.createDirectory(atPath: data + "/rollups/10s/2026-11-24", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: data + "/rollups/10s/2026-11-24/06.jsonl", withDestinationPath: outside)
        let capture = dir.write("c.capture", Array(Self.capture.utf8))
        let error = await #expect(throws: (any Error).self) { try await replay([capture], dataDir: data) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("symbolic link"))
        #expect(FileManager.default.contents(atPath: outside) == Self.outsideContent)
    }

    @Test func aReplayIntoALinkedWindowDirectoryFailsAndWritesNothingThere() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data", outside = dir.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data + "/rollups", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: data + "/rollups/1m", withDestinationPath: outside)
        let capture = dir.write("c.capture", Array(Self.capture.utf8))
        let error = await #expect(throws: (any Error).self) { try await replay([capture], dataDir: data) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("symbolic link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [])
    }
}
