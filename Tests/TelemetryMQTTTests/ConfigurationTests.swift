import TelemetryTestSupport
import TelemetryMQTT
import Testing

/// `MQTTClientConfiguration.validate()` and its description.
@Suite struct ConfigurationTests {
    @Test func persistentSessionWithoutClientIDIsRejected() {
        let configuration = MQTTClientConfiguration(host: "127.0.0.1", session: .persistent)
        #expect {
            try configuration.validate()
        } throws: { error in
            "\(error)".contains("persistent session needs a fixed client id")
        }
    }

    @Test func invalidTopicFilterIsRejected() {
        let configuration = MQTTClientConfiguration(host: "127.0.0.1", subscriptions: [MQTTSubscription("sites/#/x")])
        #expect {
            try configuration.validate()
        } throws: { error in
            "\(error)".contains("'sites/#/x' is not a valid topic filter")
        }
    }

    @Test func reconnectMaximumBelowMinimumIsRejected() {
        let configuration = MQTTClientConfiguration(
            host: "127.0.0.1", reconnectDelayMin: .seconds(5), reconnectDelayMax: .seconds(1))
        #expect(throws: MQTTError.self) { try configuration.validate() }
    }

    @Test func descriptionShowsSettingsButNotPassword() throws {
        let configuration = MQTTClientConfiguration(
            host: "broker", clientID: "telemetryd-1",
            credentials: MQTTCredentials(username: "ingest", password: "hunter2"),
            subscriptions: [MQTTSubscription("sites/+/telemetry")], session: .persistent)
        try configuration.validate()
        let text = configuration.description
        #expect(text.contains("mqtt://broker:1883"))
        #expect(text.contains("persistent session"))
        #expect(text.contains("username 'ingest', password <redacted>"))
        #expect(!text.contains("hunter2"))
        #expect(!String(reflecting: configuration.credentials!).contains("hunter2"))
    }
}
