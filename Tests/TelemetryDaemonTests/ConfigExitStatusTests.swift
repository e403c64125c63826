import Foundation
import Testing

/// A bad configuration exits `EX_CONFIG` (78) with the error and without the usage text,
/// from every command that reads it (run through the built `telemetryd`).
@Suite struct ConfigExitStatusTests {
    @Test(arguments: [["check-config"], ["run"], ["replay", "/nonexistent.capture"]])
    func aBadConfigurationExitsSeventyEightWithoutTheUsage(command: [String]) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("telemetryd.yaml", Array("data_dir: \(dir.path)/data\nwindws: [10s]\n".utf8))
        let result = try await Executables.run("telemetryd", command + ["--config", file])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("config key 'windws' is not a telemetryd setting; did you mean 'windows'?"))
        #expect(!result.stderr.contains("USAGE"), "\(result.stderr)")
    }

    @Test func aBadValueExitsSeventyEightNamingTheKey() async throws {
        let result = try await Executables.run("telemetryd", ["check-config", "--format", "parquet"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("config key 'files.format'"))
        #expect(!result.stderr.contains("USAGE"))
    }

    @Test func anUnreadableConfigFileExitsSeventyEight() async throws {
        let result = try await Executables.run("telemetryd", ["check-config", "--config", "/nonexistent/telemetryd.yaml"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/telemetryd.yaml"))
    }

    @Test func checkConfigPrintsEverySettingWithItsSource() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("telemetryd.yaml", Array("retention:\n  days: 9\nmqtt.broker: mqtt://u:hunter2@broker\n".utf8))
        let result = try await Executables.run("telemetryd", ["check-config", "--config", file, "--data-dir", dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "configuration OK")
        #expect(lines.contains { $0.hasPrefix("  retention.days: 9 ") && $0.hasSuffix("(file)") })
        #expect(lines.contains { $0.hasPrefix("  data_dir: \(dir.path) ") && $0.hasSuffix("(flag)") })
        #expect(lines.contains { $0.hasPrefix("  ring.size: 65536 ") && $0.hasSuffix("(default)") })
        #expect(!result.stdout.contains("hunter2"))
    }

    @Test func checkConfigNamesAReferencedFileItCannotRead() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("telemetryd.yaml", Array("mqtt:\n  tls:\n    ca_file: \(dir.path)/missing-ca.pem\n".utf8))
        let result = try await Executables.run("telemetryd", ["check-config", "--config", file])
        #expect(result.status == 78)
        #expect(result.stderr.contains("config key 'mqtt.tls.ca_file'"))
        #expect(result.stderr.contains("missing-ca.pem"))
    }
}
