import Foundation
import Testing
import TelemetryCore
@testable import TelemetryDaemon

/// `telemetryctl status --format …` end to end, on a status.json the daemon's own writer made.
@Suite struct StatusFormatCommandTests {
    func statusDirectory() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory("statusformat")
        var status = PipelineStatus(mode: "run", startedMs: 1_795_500_000_000, updatedMs: 1_795_500_060_000)
        status.received = 1_234
        status.deadLettersByReason[.badJSON] = 5
        status.deadLetters = 5
        _ = dir.write("status.json", status.json())
        return dir
    }

    @Test func formatJsonPrintsTheStatusAsOneJSONObjectLine() async throws {
        let dir = try statusDirectory()
        defer { dir.remove() }
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "status", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let counters = try #require(object["counters"] as? [String: Any])
        #expect(counters["received"] as? Int == 1_234)
        #expect((object["dead_letters_by_reason"] as? [String: Any])?["bad_json"] as? Int == 5)
        #expect(object["mode"] as? String == "run")
    }

    @Test func formatCsvPrintsKeyValueRows() async throws {
        let dir = try statusDirectory()
        defer { dir.remove() }
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "status", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "key,value")
        #expect(lines.contains("counters.received,1234"))
    }

    @Test func anUnknownFormatIsRefusedNamingTheChoices() async throws {
        let dir = try statusDirectory()
        defer { dir.remove() }
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "status", "--format", "xml"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("xml"))
    }
}
