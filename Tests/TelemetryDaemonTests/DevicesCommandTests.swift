import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport

/// `telemetryctl devices` as a person runs it.
@Suite struct DevicesCommandTests {
    static let fleet = [
        makeDevice(device: "aq-hanoi-001", lastArrival: "2026-11-24T06:00:00.000Z"),
        makeDevice(device: "aq-hanoi-002", lastArrival: "2026-11-24T05:59:58.000Z", offsetMs: 240_000),
        makeDevice(site: "hcmc", device: "pm-hcmc-001", lastArrival: "2026-11-24T05:40:00.000Z", offsetMs: -602_000,
                   tooLate: 3, deadLetters: 3),
    ]

    @Test func whichSensorsClockIsOffIsOneLine() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try DeviceHealthFile(DataDirectory(dir.path)).write(Self.fleet)
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "devices", "--sort", "offset", "--limit", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == 4, "\(result.stdout)")
        #expect(lines[2].contains("pm-hcmc-001") && lines[2].contains("-10m02s") && lines[2].contains("20m00s ago"))
        #expect(lines[3].contains("aq-hanoi-002") && lines[3].contains("+4m00s"))
    }

    @Test func jsonThroughAPipeIsTheFilesLines() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try DeviceHealthFile(DataDirectory(dir.path)).write(Self.fleet)
        let result = try await Executables.run("telemetryctl", [
            "devices", "--data-dir", dir.path, "--quiet-for", "10m", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.fleet[2].jsonLine() + "\n")
    }

    @Test func aMissingFileSaysWhoWritesItAndExitsNonZero() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "devices"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no devices.jsonl in \(dir.path)"))
        #expect(result.stderr.contains("is it running with --data-dir \(dir.path)?"))
    }

    @Test func nothingMatchingIsSaidOnStandardError() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try DeviceHealthFile(DataDirectory(dir.path)).write(Self.fleet)
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "devices", "--site", "danang", "--problems"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("no devices match (site danang, with problems) among 3"))
    }

    @Test(arguments: [["--sort", "size"], ["--quiet-for", "ten"], ["--limit", "0"], ["--as-of", "someday"]])
    func aBadArgumentSaysWhatIsExpected(arguments: [String]) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let result = try await Executables.run("telemetryctl", ["--data-dir", dir.path, "devices"] + arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains("expected"), "\(result.stderr)")
    }

    @Test(arguments: ["table", "csv", "json"])
    func hostileDeviceNamesReachATerminalEscaped(format: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script")
        let dir = TemporaryDirectory("devices-terminal-\(format)")
        defer { dir.remove() }
        try DeviceHealthFile(DataDirectory(dir.path)).write(
            TerminalOutputTests.hostileTags.map { makeDevice(site: $0, device: $0) })
        let result = try TerminalOutputTests.runOnATerminal(["--data-dir", dir.path, "devices", "--format", format])
        #expect(result.status == 0)
        let text = String(decoding: result.output, as: UTF8.self)
        #expect(text.contains("rlo") && text.contains("csi"), "\(text)")
        #expect(!result.output.contains(0x1B))
        #expect(!result.output.contains(0x07))
        for scalar: Unicode.Scalar in ["\u{9B}", "\u{202E}", "\u{2066}"] {
            #expect(!text.unicodeScalars.contains(scalar), "U+\(String(scalar.value, radix: 16)) reached the terminal")
        }
    }
}
