import Foundation
import Testing
import TelemetryTestSupport

/// Runs the built executables the way the README does.
enum Executables {
    /// The build products directory (the test bundle lives there too).
    static let directory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("telemetryd").path) { return url }
        }
        return URL(fileURLWithPath: #filePath.components(separatedBy: "/Tests/")[0] + "/.build/debug")
    }()

    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `name` to completion on a thread of its own (not the Swift concurrency pool).
    static func run(_ name: String, _ arguments: [String]) async throws -> Result {
        try await offload { try runBlocking(name, arguments) }
    }

    private static func runBlocking(_ name: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = directory.appendingPathComponent(name)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite struct CommandLineTests {
    @Test func recordReplayAndQueryWorkFromTheCommandLine() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = dir.path + "/fleet.capture", data = dir.path + "/data"
        let record = try await Executables.run("telemetry-sim", [
            "record", "--out", capture, "--devices", "8", "--duration", "20m", "--seed", "3",
            "--start", "2026-11-24T05:00:00Z", "--faults", "0.02"])
        #expect(record.status == 0, "\(record.stderr)")
        let replay = try await Executables.run("telemetryd", ["replay", capture, "--data-dir", data])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.hasPrefix("replayed "))
        #expect(replay.stdout.contains("messages/s"))

        let query = try await Executables.run("telemetryctl", ["--data-dir", data, "query", "--window", "1m", "--format", "json"])
        #expect(query.status == 0, "\(query.stderr)")
        let queried = query.stdout.split(separator: "\n")
        let fileLines = try RollupFiles.read(data).rows.filter { $0.window == "1m" }
        #expect(queried.count == fileLines.count)
        #expect(queried.count > 0)

        let device = try #require(fileLines.first { $0.metric == "pm25" }?.device)
        let plot = try await Executables.run("telemetryctl", ["--data-dir", data, "plot", "--window", "1m", "--metric", "pm25",
                                                       "--device", device])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(plot.stdout.contains("pm25"))
    }

    /// The README's "without a broker" example records without --start: the period starts now.
    @Test func recordWithoutAStartBeginsNow() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = dir.path + "/now.capture"
        let record = try await Executables.run("telemetry-sim", ["record", "--out", capture, "--devices", "2", "--duration", "1m"])
        #expect(record.status == 0, "\(record.stderr)")
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        #expect(record.stderr.contains("(\(year)-"), "\(record.stderr)")
    }

    @Test func aHexCaptureRecordedByTheSimulatorReplaysFromTheCommandLine() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = dir.path + "/fleet.hex", data = dir.path + "/data"
        let record = try await Executables.run("telemetry-sim", [
            "record", "--out", capture, "--devices", "4", "--duration", "5m", "--seed", "5",
            "--start", "2026-11-24T05:00:00Z", "--payload-encoding", "hex"])
        #expect(record.status == 0, "\(record.stderr)")
        let replay = try await Executables.run("telemetryd", ["replay", capture, "--data-dir", data, "--payload-encoding", "hex"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains(" 0 dead letters"), "\(replay.stdout)")
        #expect(!replay.stdout.contains("replayed 0 messages"), "\(replay.stdout)")
    }

    @Test func aBadPayloadEncodingSaysWhatIsExpected() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let replay = try await Executables.run("telemetryd", ["replay", "x.capture", "--payload-encoding", "base64"])
        #expect(replay.status != 0)
        #expect(replay.stderr.contains("--payload-encoding: expected raw or hex; got 'base64'"), "\(replay.stderr)")
        let record = try await Executables.run("telemetry-sim", ["record", "--out", dir.path + "/x", "--payload-encoding", "b64"])
        #expect(record.status != 0)
        #expect(record.stderr.contains("--payload-encoding: expected raw or hex; got 'b64'"), "\(record.stderr)")
    }

    @Test func replayHelpSaysHowToRecordAnyPayload() async throws {
        let help = try await Executables.run("telemetryd", ["replay", "--help"])
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        #expect(text.contains("mosquitto_sub -F '%U %t %x'"), "\(help.stdout)")
        #expect(text.contains("--payload-encoding"), "\(help.stdout)")
    }

    @Test func aBadWindowArgumentSaysWhatIsExpected() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "query", "--window", "7x"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("expected"))
    }

    @Test func aMissingCaptureFailsWithItsPath() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let result = try await Executables.run("telemetryd", ["replay", dir.path + "/nope.capture", "--data-dir", dir.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("nope.capture"))
    }

    @Test func aBadConfigValueStopsCheckConfigNamingTheKey() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("bad.yaml", Array("ring:\n  overflow: sometimes\n".utf8))
        let result = try await Executables.run("telemetryd", ["check-config", "--config", config])
        #expect(result.status != 0)
        #expect(result.stderr.contains("ring.overflow"))
        #expect(result.stderr.contains("block or drop_newest"))
    }

    @Test func checkConfigShowsEachTemplatesTimestampUnit() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("units.yaml", Array("""
            templates:
              - "vn/{site}/{device}/telemetry json"
              - "vn/{site}/influx influx precision=s"

            """.utf8))
        let result = try await Executables.run("telemetryd", ["check-config", "--config", config])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"templates: ["vn/{site}/{device}/telemetry json ts_unit=auto", "vn/{site}/influx influx precision=s"]"#),
                "\(result.stdout)")
    }

    @Test func checkConfigRejectsABrokerURLThatRunWouldReject() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = dir.write("broker.yaml", Array("mqtt:\n  broker: mqtt://broker:99999\n".utf8))
        let result = try await Executables.run("telemetryd", ["check-config", "--config", config])
        #expect(result.status != 0)
        #expect(result.stderr.contains("mqtt.broker"))
        #expect(result.stderr.contains("99999"))
    }
}
