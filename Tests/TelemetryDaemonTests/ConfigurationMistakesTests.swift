import Foundation
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// Configuration that catches mistakes (issue 13): unknown keys, the key blamed, the
/// environment's prefix, what `check-config` prints.
@Suite struct ConfigurationMistakesTests {
    static let root = #filePath.components(separatedBy: "/Tests/")[0]

    func load(yaml: String, overrides: [String: String] = [:], environment: [String: String]? = nil) async throws -> DaemonConfiguration {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("telemetryd.yaml", Array((yaml.isEmpty ? "{}\n" : yaml).utf8))
        return try await ConfigurationLoader.load(
            file: file, overrides: overrides, environment: environment != nil, environmentVariables: environment)
    }

    func error(yaml: String, overrides: [String: String] = [:]) async -> ConfigurationError? {
        do {
            _ = try await load(yaml: yaml, overrides: overrides)
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("not a ConfigurationError: \(error)")
            return nil
        }
    }

    // MARK: unknown keys

    @Test func anUnknownKeyInTheFileStopsStartUpWithADidYouMean() async {
        let e = await error(yaml: "windws: [10s, 1m]\n")
        #expect(e?.key == "windws")
        #expect(e?.description == "config key 'windws' is not a telemetryd setting; did you mean 'windows'?")
    }

    @Test(arguments: ["mqtt:\n  topic: [\"vn/#\"]\n", "mqtt.topic: [\"vn/#\"]\n"])
    func aMistypedKeyInANestedMapOrDottedIsNamedInFull(yaml: String) async {
        let e = await error(yaml: yaml)
        #expect(e?.key == "mqtt.topic")
        #expect(e?.suggestion == "mqtt.topics")
    }

    @Test func aSettingWrittenOutsideItsGroupIsPointedToIt() async {
        let e = await error(yaml: "reconnect:\n  min: 2s\n")
        #expect(e?.key == "reconnect.min")
        #expect(e?.suggestion == "mqtt.reconnect.min")
    }

    @Test func aKeyNothingIsCloseToIsStillRefused() async {
        let e = await error(yaml: "colour_scheme: dark\n")
        #expect(e?.key == "colour_scheme")
        #expect(e?.suggestion == nil)
        #expect(e?.description.contains("is not a telemetryd setting") == true)
    }

    @Test func aGroupWithEverythingUnderItCommentedOutIsFine() async throws {
        let c = try await load(yaml: "mqtt:\n  tls:\n    # ca_file: /etc/ssl/ca.pem\n  keepalive: 40s\nring: {}\n")
        #expect(c.broker.keepaliveSeconds == 40)
    }

    @Test func aGroupGivenAValueNamesTheGroup() async {
        let e = await error(yaml: "mqtt: mqtt://broker\n")
        #expect(e?.key == "mqtt")
        #expect(e?.description.contains("mqtt.broker") == true)
    }

    @Test func aSettingGivenAMapIsRefused() async {
        let e = await error(yaml: "lateness:\n  seconds: 5\n")
        #expect(e?.key == "lateness")
    }

    @Test func aMistypedOverrideIsRefusedToo() async {
        let e = await error(yaml: "", overrides: ["ring.sise": "4096"])
        #expect(e?.suggestion == "ring.size")
    }

    /// The README's Configuration table and `ConfigurationKeys` list the same keys.
    @Test func everyKeyTheREADMEListsIsKnownAndEveryKnownKeyIsListed() throws {
        let readme = try String(contentsOfFile: Self.root + "/README.md", encoding: .utf8)
        let section = readme.components(separatedBy: "\n## Configuration\n")[1].components(separatedBy: "\n## ")[0]
        var listed: [String] = []
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            listed += cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        #expect(Set(listed).subtracting(ConfigurationKeys.all).sorted() == [], "in the README but not known")
        #expect(Set(ConfigurationKeys.all).subtracting(listed).sorted() == [],
                "known but not in the README")
    }

    @Test func theLoaderReadsEveryKnownKeyAndNoOther() async throws {
        let (_, sources) = try await ConfigurationLoader.loadRecordingSources(file: nil, environment: false)
        #expect(sources.keysRead.subtracting(ConfigurationKeys.all).sorted() == [], "read but not known")
        #expect(Set(ConfigurationKeys.all).subtracting(sources.keysRead).sorted() == [],
                "known but never read")
    }

    // MARK: the key blamed

    @Test func aReconnectMinimumBelowOneSecondNamesTheMinimum() async {
        let e = await error(yaml: "mqtt:\n  reconnect:\n    min: 200ms\n")
        #expect(e?.key == "mqtt.reconnect.min")
        #expect(e?.found == "200ms")
    }

    @Test func aReconnectMaximumBelowTheMinimumNamesTheMaximum() async {
        let e = await error(yaml: "mqtt:\n  reconnect:\n    min: 10s\n    max: 5s\n")
        #expect(e?.key == "mqtt.reconnect.max")
        #expect(e?.description.contains("10s") == true)
    }

    @Test func aReconnectMinimumAboveTheDefaultMaximumNamesTheMinimum() async {
        let e = await error(yaml: "mqtt.reconnect.min: 2m\n")
        #expect(e?.key == "mqtt.reconnect.min")
        #expect(e?.description.contains("30s") == true)
    }

    @Test(arguments: [("mqtt.tls.cert_file", "mqtt.tls.key_file"), ("mqtt.tls.key_file", "mqtt.tls.cert_file")])
    func aClientCertificateWithoutItsKeyNamesTheMissingOne(set: String, missing: String) async {
        let e = await error(yaml: "\(set): /etc/telemetryd/client.pem\n")
        #expect(e?.key == missing)
        #expect(e?.description.contains(set) == true)
    }

    // MARK: environment

    @Test func unprefixedEnvironmentVariablesAreIgnored() async throws {
        let c = try await load(yaml: "", environment: ["LOG_LEVEL": "debug", "DATA_DIR": "/tmp/elsewhere", "RING_SIZE": "x"])
        #expect(c.logLevel == "info")
        #expect(c.dataDirectory.root == "/var/lib/telemetryd")
    }

    @Test func prefixedEnvironmentVariablesOverrideTheFile() async throws {
        let c = try await load(yaml: "log:\n  level: warning\n", environment: [
            "TELEMETRYD_LOG_LEVEL": "debug", "TELEMETRYD_DATA_DIR": "/tmp/td", "TELEMETRYD_MQTT_RECONNECT_MAX": "1m",
        ])
        #expect(c.logLevel == "debug")
        #expect(c.dataDirectory.root == "/tmp/td")
        #expect(c.broker.reconnectMaxSeconds == 60)
    }

    @Test func aMistypedPrefixedVariableIsRefusedWithADidYouMean() async {
        do {
            _ = try await load(yaml: "", environment: ["TELEMETRYD_LOG_LEVL": "debug"])
            Issue.record("TELEMETRYD_LOG_LEVL was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "TELEMETRYD_LOG_LEVL")
            #expect(error.suggestion == "TELEMETRYD_LOG_LEVEL")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func anEnvironmentVariableNameIsThePrefixAndTheKey() {
        #expect(ConfigurationKeys.environmentName("mqtt.reconnect.min") == "TELEMETRYD_MQTT_RECONNECT_MIN")
        #expect(ConfigurationKeys.environmentName("data_dir") == "TELEMETRYD_DATA_DIR")
    }

    // MARK: windows.align

    @Test func windowsAlignIsUTCByDefaultAndTakesAnOffset() async throws {
        #expect(try await load(yaml: "").windowAlignment == .utc)
        let c = try await load(yaml: "windows: [1h, 1d]\nwindows.align: \"+07:00\"\n")
        #expect(c.windowAlignment.offsetMinutes == 420)
    }

    @Test func aBadAlignmentNamesItsKey() async {
        let e = await error(yaml: "windows.align: Asia/Ho_Chi_Minh\n")
        #expect(e?.key == "windows.align")
        #expect(e?.description.contains("+07:00") == true)
    }

    // MARK: check-config

    @Test func theEffectiveConfigurationSaysWhereEachValueCameFrom() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("t.yaml", Array("retention:\n  days: 7\nlog.level: warning\n".utf8))
        let (c, sources) = try await ConfigurationLoader.loadRecordingSources(
            file: file, overrides: ["data_dir": "/tmp/flag"], environmentVariables: ["TELEMETRYD_LOG_LEVEL": "debug"])
        let entries = Dictionary(uniqueKeysWithValues: EffectiveConfiguration.entries(c, sources: sources).map { ($0.key, $0) })
        #expect(entries["data_dir"]?.source == .flag)
        #expect(entries["data_dir"]?.value == "/tmp/flag")
        #expect(entries["log.level"]?.source == .environment)
        #expect(entries["log.level"]?.value == "debug")
        #expect(entries["retention.days"]?.source == .file)
        #expect(entries["retention.days"]?.value == "7")
        #expect(entries["ring.size"]?.source == .default)
        #expect(entries["lateness"]?.value == "5s")
    }

    @Test func everySettingThisBuildParsesIsPrinted() {
        let unprinted = ConfigurationKeys.all.filter { EffectiveConfiguration.value(of: $0, in: DaemonConfiguration()) == nil }
        #expect(unprinted == [], "\(unprinted)")
    }

    @Test func theBrokerPasswordIsNotPrinted() async throws {
        let c = try await load(yaml: "mqtt.broker: mqtt://ingest:hunter2@broker:1883\n")
        let lines = EffectiveConfiguration.lines(c, sources: ConfigurationSourceRecorder()).joined(separator: "\n")
        #expect(!lines.contains("hunter2"))
        #expect(lines.contains("mqtt://ingest:***@broker:1883"))
    }

    @Test func keysNamingAPasswordAreSecretButThePasswordFileIsAPath() {
        #expect(ConfigurationKeys.isSecret("mqtt.password"))
        #expect(!ConfigurationKeys.isSecret("mqtt.password_file"))
    }

    @Test func aReferencedFileThatDoesNotExistIsNamedByItsKey() async throws {
        let c = try await load(yaml: "mqtt:\n  username: u\n  password_file: /nonexistent/mqtt-password\n")
        let problems = EffectiveConfiguration.fileProblems(c)
        #expect(problems.map(\.key) == ["mqtt.password_file"])
        #expect(problems.first?.description.contains("does not exist") == true)
    }

    @Test func aCADirectoryThatIsAFileIsNamedByItsKey() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("ca.pem", Array("x".utf8))
        let c = try await load(yaml: "mqtt.tls.ca_dir: \(file)\nmqtt.tls.ca_file: \(dir.path)\n")
        #expect(EffectiveConfiguration.fileProblems(c).map(\.key) == ["mqtt.tls.ca_file", "mqtt.tls.ca_dir"])
    }

    @Test func readableReferencedFilesAreNoProblem() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let password = dir.write("pw", Array("secret\n".utf8))
        let c = try await load(yaml: "mqtt:\n  username: u\n  password_file: \(password)\n  tls:\n    ca_dir: \(dir.path)\n")
        #expect(EffectiveConfiguration.fileProblems(c).isEmpty)
    }
}
