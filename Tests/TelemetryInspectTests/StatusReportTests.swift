import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct StatusReportTests {
    let sample = """
        {"version":1,"updated":"2026-11-24T06:00:00.000Z","started":"2026-11-24T05:00:00.000Z","mode":"live",
         "counters":{"received":3600,"readings":7200,"dead_letters":36,"duplicates":3,"gaps":5,"late":2,"dropped":0,
                     "rollups_written":840,"device_restarts":0,"brand_new":9},
         "dead_letters_by_reason":{"bad_json":4,"no_template":30,"too_late":2},
         "ring":{"capacity":65536,"in_use":0,"high_water":16384,"overflow_policy":"block","shards":4},
         "windows":["10s","1m","1h"],"open_windows":12,"series":40,"watermark":"2026-11-24T05:59:57.000Z",
         "sinks":{"rollups":{"format":"jsonl","bytes":123}},"note":"x\\u001b[2Jy","tags":[1,2]}
        """

    func render(now: String = "2026-11-24T06:00:05.000Z") throws -> [String] {
        try StatusReport(json: sample, path: "/d/status.json").render(now: ms(now))
    }

    func line(_ lines: [String], startingWith prefix: String) -> String? {
        lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
    }

    @Test func showsKnownCountersWithRates() throws {
        let lines = try render()
        let received = try #require(line(lines, startingWith: "received"))
        #expect(received.contains("3,600"))
        #expect(received.contains("1/s"))  // 3600 over one hour of uptime
        let readings = try #require(line(lines, startingWith: "readings"))
        #expect(readings.contains("2/s"))
        #expect(try #require(line(lines, startingWith: "dead_letters")).contains("1.0% of received"))
        #expect(lines.contains("Counters"))
    }

    @Test func showsUptimeAndAge() throws {
        let lines = try render()
        #expect(try #require(line(lines, startingWith: "uptime")).contains("1h 0m 0s"))
        #expect(try #require(line(lines, startingWith: "updated")).contains("(5s ago)"))
        #expect(try #require(line(lines, startingWith: "watermark")).contains("3s behind updated"))
    }

    @Test func eventTimeShowsTheClocksTooLateAndLateByWindowTogether() throws {
        let json = """
            {"version":1,"updated":"2026-11-24T06:00:00.000Z","started":"2026-11-24T05:00:00.000Z","mode":"live",
             "counters":{"late":7},"late_by_window":{"10s":52196,"1m":3,"1h":0},
             "ingest_clock":"2026-11-24T05:59:59.500Z","next_close":"2026-11-24T06:00:12.000Z","idle_close":"30s",
             "watermark":"2026-11-24T06:03:57.000Z"}
            """
        let lines = try StatusReport(json: json, path: "/d/status.json").render(now: ms("2026-11-24T06:00:01.000Z"))
        let section = try #require(lines.firstIndex(of: "Event time"))
        #expect(try #require(line(lines, startingWith: "late by window")) .contains("10s 52,196, 1m 3, 1h 0"))
        #expect(try #require(line(lines, startingWith: "too late")).contains("7"))
        #expect(try #require(line(lines, startingWith: "next close")).contains("(in 12s)"))
        #expect(try #require(line(lines, startingWith: "idle close")).contains("30s"))
        #expect(lines.firstIndex { $0.contains("ingest clock") }! > section)
        #expect(!lines.contains("Other"))
    }

    @Test func flagsAStaleLiveStatus() throws {
        let lines = try render(now: "2026-11-24T07:00:00.000Z")
        #expect(try #require(line(lines, startingWith: "updated")).contains("stale"))
    }

    @Test func deadLetterReasonsAreSortedWithShares() throws {
        let lines = try render()
        let section = try #require(lines.firstIndex(of: "Dead letters by reason"))
        #expect(lines[section + 1].contains("no_template"))
        #expect(lines[section + 1].contains("83%"))
    }

    @Test func ringShowsShareOfCapacity() throws {
        let lines = try render()
        #expect(try #require(line(lines, startingWith: "high water")).contains("25% of capacity"))
    }

    @Test func unknownFieldsAreListedFlattened() throws {
        let lines = try render()
        let other = try #require(lines.firstIndex(of: "Other"))
        let rest = lines[other...].map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(rest.contains { $0.hasPrefix("ring.shards") && $0.hasSuffix("4") })
        #expect(rest.contains { $0.hasPrefix("sinks.rollups.format") && $0.hasSuffix("jsonl") })
        #expect(rest.contains { $0.hasPrefix("tags") && $0.hasSuffix("[1, 2]") })
        #expect(try #require(line(lines, startingWith: "brand_new")).contains("9"))
    }

    @Test func unknownTextIsSanitised() throws {
        let text = try render().joined(separator: "\n")
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" })
        #expect(text.contains("x\\u{1B}[2Jy"))
    }

    @Test func missingStatusSaysWhereItLooked() throws {
        let dir = try TemporaryDataDirectory()
        do {
            _ = try StatusReport.load(dataDirectory: dir.path)
            Issue.record("expected an error")
        } catch {
            #expect(error == .statusMissing(dataDirectory: dir.path))
            #expect(error.description == "no status.json in \(dir.path) — is telemetryd running with --data-dir \(dir.path)?")
        }
    }

    @Test func invalidStatusIsReportedAsUnreadable() throws {
        let dir = try TemporaryDataDirectory()
        try dir.write("status.json", "{\"version\":")
        #expect(throws: InspectError.self) { try StatusReport.load(dataDirectory: dir.path) }
    }

    @Test func minimalStatusRendersWithoutKnownSections() throws {
        let lines = try StatusReport(json: #"{"hello":"world"}"#, path: "p").render(now: 0)
        #expect(lines.contains("Other"))
        #expect(!lines.contains("Counters"))
    }
}
