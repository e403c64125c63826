import Foundation
import Testing
import TelemetryStorage
import TelemetryCore
import TelemetryDaemon

@Suite struct ConfigurationTests {
    @Test func theShippedConfigFileIsValid() async throws {
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/config/telemetryd.yaml"
        let c = try await ConfigurationLoader.load(file: path, environment: false)
        #expect(c.windows.map(\.name) == ["10s", "1m", "1h"])
        #expect(c.templates.count == 2)
        #expect(c.retentionDays == 30)
    }

    @Test func theBrokerDefaultsLoseNothing() async throws {
        let c = try await ConfigurationLoader.load(file: nil, environment: false)
        #expect(c.broker.subscriptions == [.init(filter: "vn/#", qos: 1)])
        #expect(c.broker.cleanSession == false)
    }

    @Test func topicFiltersTakeAnOptionalQoS() async throws {
        let c = try await ConfigurationLoader.load(
            file: nil, overrides: ["mqtt.topics": "vn/+/+/telemetry 0, vn/hanoi/#"], environment: false)
        #expect(c.broker.subscriptions == [.init(filter: "vn/+/+/telemetry", qos: 0), .init(filter: "vn/hanoi/#", qos: 1)])
    }

    @Test func overridesWinOverTheFile() async throws {
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/config/telemetryd.yaml"
        let c = try await ConfigurationLoader.load(
            file: path, overrides: ["data_dir": "/tmp/x", "files.format": "csv"], environment: false)
        #expect(c.dataDirectory.root == "/tmp/x")
        #expect(c.fileFormat == .csv)
    }

    @Test(arguments: [
        ("ring.size", "abc"), ("ring.overflow", "sometimes"), ("windows", "7s"), ("lateness", "soon"),
        ("files.format", "parquet"), ("templates", "vn/{site}/x json"), ("retention.days", "-1"),
        ("log.level", "loud"), ("limits.max_payload_bytes", "0"),
        ("mqtt.broker", "http://broker"), ("mqtt.topics", "vn/#/x"), ("mqtt.topics", "vn/# 3"),
        ("mqtt.protocol", "4"), ("mqtt.connect_attempts", "-1"), ("mqtt.clean_session", "maybe"),
        ("status.devices_interval", "0s"), ("status.devices_interval", "often"), ("wal.enabled", "maybe"),
    ])
    func aBadValueNamesItsKey(key: String, value: String) async throws {
        do {
            _ = try await ConfigurationLoader.load(file: nil, overrides: [key: value], environment: false)
            Issue.record("\(key)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
            #expect(error.description.contains(value))
            #expect(error.description.contains("expected"))
        }
    }

    @Test func devicesIntervalIsFifteenSecondsByDefaultAndSettable() async throws {
        #expect(try await ConfigurationLoader.load(file: nil, environment: false).devicesIntervalMs == 15_000)
        let c = try await ConfigurationLoader.load(file: nil, overrides: ["status.devices_interval": "1m"], environment: false)
        #expect(c.devicesIntervalMs == 60_000)
    }

    @Test func theWriteAheadLogIsOnByDefaultAndCanBeTurnedOff() async throws {
        #expect(try await ConfigurationLoader.load(file: nil, environment: false).walEnabled)
        let c = try await ConfigurationLoader.load(file: nil, overrides: ["wal.enabled": "false"], environment: false)
        #expect(!c.walEnabled)
    }

    @Test func templatesTakeATimestampUnitFromTheFile() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.write("units.yaml", Array("""
            templates:
              - "vn/{site}/{device}/telemetry json ts_unit=s"
              - "vn/{site}/influx influx precision=ms"
              - "vn/{site}/{device}/{metric} value"

            """.utf8))
        let c = try await ConfigurationLoader.load(file: file, environment: false)
        #expect(c.templates.map(\.timestampUnit) == [.seconds, .milliseconds, .auto])
        #expect(c.templates.map(\.description) == [
            "vn/{site}/{device}/telemetry json ts_unit=s", "vn/{site}/influx influx precision=ms", "vn/{site}/{device}/{metric} value",
        ])
    }

    @Test(arguments: [
        ("vn/{site}/{device}/telemetry json ts_unit=sec", "ts_unit=sec is not a unit; a json template takes ts_unit=auto|s|ms|us|ns"),
        ("vn/{site}/{device}/telemetry json precision=s", "precision is an option of influx templates"),
        ("vn/{site}/influx influx ts_unit=s", "ts_unit is an option of json templates; an influx template takes precision=ns|us|ms|s|auto"),
        ("vn/{site}/{device}/{metric} value ts_unit=ms", "a value template takes no options"),
        ("vn/{site}/{device}/telemetry json tz=UTC", "unknown option 'tz'"),
    ])
    func aBadTemplateOptionNamesTheTemplateAndWhatItTakes(spec: String, problem: String) async throws {
        do {
            _ = try await ConfigurationLoader.load(file: nil, overrides: ["templates": spec], environment: false)
            Issue.record("\(spec) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "templates")
            #expect(error.found == spec)
            #expect(error.description.contains(problem), "\(error)")
        }
    }

    /// `check-config` loads the configuration as `run` does, so a broker URL `run` would
    /// refuse fails here, naming the key.
    @Test(arguments: ["mqtt://broker:99999", "mqtt://broker/telemetry", "mqtt://bro ker", "mqtts://[::1"])
    func aBrokerURLThatRunRejectsIsRejectedNamingTheKey(url: String) async throws {
        do {
            _ = try await ConfigurationLoader.load(file: nil, overrides: ["mqtt.broker": url], environment: false)
            Issue.record("mqtt.broker=\(url) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "mqtt.broker")
            #expect(error.description.contains("expected"))
        }
    }

    @Test func aRejectedBrokerURLDoesNotEchoItsPassword() async throws {
        do {
            _ = try await ConfigurationLoader.load(
                file: nil, overrides: ["mqtt.broker": "mqtt://ingest:hunter2@broker:99999"], environment: false)
            Issue.record("port 99999 was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "mqtt.broker")
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("mqtt://ingest:***@broker:99999"))
        }
    }
}
