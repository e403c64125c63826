import Foundation
import Testing
import TelemetryCore
import TelemetryStorage

/// `telemetryctl` writing to a terminal: tag values come from devices, so whatever the
/// format, no character that drives a terminal (ESC, BEL, C1, bidi overrides) reaches it raw.
/// (Through a pipe the output stays byte for byte the file: `RollupRoundTripTests`.)
@Suite struct TerminalOutputTests {
    static let hostileTags = ["esc\u{1B}[31mred", "bel\u{07}ring", "csi\u{9B}2J", "rlo\u{202E}txt", "lri\u{2066}x"]

    /// Runs `telemetryctl arguments` with its stdout on a pseudo-terminal (util-linux
    /// `script`) and returns what the terminal received.
    static func runOnATerminal(_ arguments: [String]) throws -> (status: Int32, output: [UInt8]) {
        let quoted = ([Executables.directory.appendingPathComponent("telemetryctl").path] + arguments)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-e", "-c", quoted, "/dev/null"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, Array(bytes))
    }

    @Test(arguments: ["csv", "json"])
    func queryOutputToATerminalCarriesNoRawControlCharacters(format: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux script")
        let dir = TemporaryDirectory("terminal-\(format)")
        defer { dir.remove() }
        var rollups: [Rollup] = []
        for (i, tag) in Self.hostileTags.enumerated() {
            var stats = RollupAccumulator()
            stats.add(1.5, at: RollupRoundTripTests.start)
            rollups.append(Rollup(window: WindowSize(parsing: "1m")!, startMs: RollupRoundTripTests.start + Int64(i) * 60_000,
                                  key: SeriesKey(site: tag, device: "d", metric: "m"), stats: stats))
        }
        _ = try RollupRoundTripTests.write(rollups, format: .jsonl, to: dir.path)

        let result = try Self.runOnATerminal(["--data-dir", dir.path, "query", "--window", "1m", "--format", format])
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
