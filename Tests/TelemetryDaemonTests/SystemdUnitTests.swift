import Foundation
import Testing
import TelemetryTestSupport

@Suite struct SystemdUnitTests {
    static let unit = #filePath.components(separatedBy: "/Tests/")[0] + "/systemd/telemetryd.service"

    /// Runs systemd-analyze on a thread of its own (not the Swift concurrency pool).
    func analyze(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await offload { try Self.analyzeBlocking(arguments) }
    }

    static func analyzeBlocking(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theUnitIsANotifyServiceWithAStateDirectoryAndRestartOnFailure() async throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for line in ["Type=notify", "Restart=on-failure", "StateDirectory=telemetryd", "ConfigurationDirectory=telemetryd",
                     "DynamicUser=yes", "WatchdogSec="] {
            #expect(text.contains(line), "missing \(line)")
        }
    }

    @Test func systemdAnalyzeVerifyAcceptsTheUnit() async throws {
        // verify checks that ExecStart exists: point it at an executable that does.
        let directory = NSTemporaryDirectory() + "unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/telemetryd", with: Executables.directory.appendingPathComponent("telemetryd").path)
        try text.write(toFile: directory + "/telemetryd.service", atomically: true, encoding: .utf8)
        let result = try await analyze(["verify", directory + "/telemetryd.service"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func theSecurityExposureIsAtMostOnePointFive() async throws {
        let result = try await analyze(["security", "--offline=true", "--no-pager", Self.unit])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: ":")[1].split(separator: " ").first.flatMap { Double($0) })
        #expect(score <= 1.5, "\(line)")
    }
}
