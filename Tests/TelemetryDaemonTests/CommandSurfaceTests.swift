import Foundation
import Testing
import TelemetryCore
import TelemetryTestSupport

/// The command lines of the three executables: `--version`, did-you-mean, `telemetryd test`,
/// `telemetryctl query` over every window, `telemetryctl deadletters`.
@Suite struct CommandSurfaceTests {
    @Test(arguments: ["telemetryd", "telemetryctl", "telemetry-sim"])
    func versionPrintsTheOneVersionString(_ executable: String) async throws {
        let result = try await Executables.run(executable, ["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == TelemetryVersion.string + "\n")
    }

    @Test(arguments: [("telemetryctl", "qurey", "query"), ("telemetryd", "replya", "replay"), ("telemetry-sim", "recrod", "record")])
    func aMistypedSubcommandSuggestsTheNearestOne(_ executable: String, _ typed: String, _ meant: String) async throws {
        let result = try await Executables.run(executable, [typed])
        #expect(result.status == 64)
        #expect(result.stderr == "error: unknown command '\(typed)'. Did you mean '\(meant)'?\n")
    }

    @Test func aMistypeAfterAGlobalOptionIsFoundToo() async throws {
        let result = try await Executables.run("telemetryctl", ["--data-dir", "/nonexistent", "stauts"])
        #expect(result.stderr == "error: unknown command 'stauts'. Did you mean 'status'?\n")
    }

    @Test func anUnknownOptionIsStillArgumentParsersError() async throws {
        let result = try await Executables.run("telemetryctl", ["query", "--windwo", "1m"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Unknown option '--windwo'"))
    }

    @Test func telemetrydTestPrintsTheReadingsAndExitsZero() async throws {
        let result = try await Executables.run("telemetryd", [
            "test", "--topic", "vn/hanoi/aq-hanoi-001/telemetry", "--payload", #"{"pm25":35.2,"ts":"2026-11-24T06:00:00Z"}"#,
            "--time", "2026-11-24T06:00:01Z"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("template: vn/{site}/{device}/telemetry json"))
        #expect(result.stdout.contains("reading site=hanoi device=aq-hanoi-001 metric=pm25 value=35.2 time=2026-11-24T06:00:00.000Z\n"))
    }

    @Test func telemetrydTestOfARejectedMessageSaysWhyAndExitsOne() async throws {
        let result = try await Executables.run("telemetryd", [
            "test", "--topic", "vn/hanoi/aq-hanoi-001/telemetry", "--payload", "{oops"])
        #expect(result.status == 1)
        #expect(result.stdout.hasSuffix("dead letter: bad_json\n"))
    }

    @Test func telemetrydTestUsesTheConfigurationsTemplates() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.path + "/t.yaml"
        try Data("""
            templates:
              - "plant/{site}/{device}/{metric} value"
            """.utf8).write(to: URL(fileURLWithPath: config))
        let result = try await Executables.run("telemetryd", [
            "test", "--config", config, "--topic", "plant/dongnai/m1/power", "--payload", "12.5",
            "--time", "2026-11-24T06:00:00Z"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("reading site=dongnai device=m1 metric=power value=12.5 time=2026-11-24T06:00:00.000Z"))
    }

    @Test func telemetrydTestRefusesABadTime() async throws {
        let result = try await Executables.run("telemetryd", ["test", "--topic", "t", "--payload", "1", "--time", "yesterday"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("expected RFC 3339"))
    }

    /// A replay with faults: rollups in every configured window and some dead letters.
    static func replayedDataDirectory(_ dir: TemporaryDirectory) async throws -> String {
        let capture = dir.path + "/fleet.capture", data = dir.path + "/data"
        let record = try await Executables.run("telemetry-sim", [
            "record", "--out", capture, "--devices", "4", "--duration", "3m", "--seed", "5",
            "--start", "2026-11-24T05:00:00Z", "--faults", "0.05"])
        #expect(record.status == 0, "\(record.stderr)")
        let replay = try await Executables.run("telemetryd", ["replay", capture, "--data-dir", data])
        #expect(replay.status == 0, "\(replay.stderr)")
        return data
    }

    @Test func queryWithoutAWindowShowsEveryWindow() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = try await Self.replayedDataDirectory(dir)
        let json = try await Executables.run("telemetryctl", ["--data-dir", data, "query", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let all = try RollupFiles.read(data).rows
        #expect(json.stdout.split(separator: "\n").count == all.count)
        #expect(Set(all.map(\.window)).count > 1)
        let table = try await Executables.run("telemetryctl", ["--data-dir", data, "query"])
        #expect(table.stdout.split(separator: "\n").first?.contains("  window  ") == true)
    }

    @Test func deadlettersListsWhatTheReplayRejected() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = try await Self.replayedDataDirectory(dir)
        let summary = try await Executables.run("telemetryctl", ["--data-dir", data, "deadletters", "--summary", "--format", "csv"])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.hasPrefix("reason,count\n"))
        let reason = try #require(summary.stdout.split(separator: "\n").dropFirst().first?.split(separator: ",").first)
        let listed = try await Executables.run("telemetryctl", ["--data-dir", data, "deadletters", "--reason", String(reason), "--format", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.contains(#""reason":"\#(reason)""#) })
        let table = try await Executables.run("telemetryctl", ["--data-dir", data, "deadletters", "--tz", "+07:00"])
        #expect(table.stdout.hasPrefix("received (+07:00)"))
        #expect(table.stdout.contains("\nreason "))
    }

    @Test func aBadZoneSaysWhatIsExpected() async throws {
        let result = try await Executables.run("telemetryctl", ["query", "--tz", "Mars/Olympus"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("expected UTC, an offset like +07:00"))
    }
}
