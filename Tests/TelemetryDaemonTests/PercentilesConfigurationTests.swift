import Foundation
import Testing
import TelemetryCore
import TelemetryDaemon

@Suite struct PercentilesConfigurationTests {
    @Test func percentilesDefaultToFiftyNinetyNinetyFiveAndNinetyNine() async throws {
        let c = try await ConfigurationLoader.load(file: nil, environment: false)
        #expect(c.percentiles.map(\.name) == ["p50", "p90", "p95", "p99"])
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/config/telemetryd.yaml"
        #expect(try await ConfigurationLoader.load(file: path, environment: false).percentiles == Percentile.defaults)
    }

    @Test func aYAMLListOfPercentsSetsTheColumns() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        for (yaml, names) in [("[50, 99.9]", ["p50", "p99_9"]), ("[75]", ["p75"]), ("[]", []), ("[\"25\", \"99.5\"]", ["p25", "p99_5"])] {
            let file = dir.write("p.yaml", Array("percentiles: \(yaml)\n".utf8))
            let c = try await ConfigurationLoader.load(file: file, environment: false)
            #expect(c.percentiles.map(\.name) == names, "\(yaml)")
        }
    }

    @Test func anOverrideListsPercentsSeparatedByCommas() async throws {
        let c = try await ConfigurationLoader.load(file: nil, overrides: ["percentiles": "10, 99.99"], environment: false)
        #expect(c.percentiles.map(\.name) == ["p10", "p99_99"])
    }

    @Test(arguments: ["0", "100", "150", "-5", "high"])
    func aPercentOutsideZeroToHundredNamesTheKey(_ value: String) async throws {
        do {
            _ = try await ConfigurationLoader.load(file: nil, overrides: ["percentiles": value], environment: false)
            Issue.record("percentiles=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "percentiles")
            #expect(error.description.contains(value))
        }
    }
}
