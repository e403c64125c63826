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
