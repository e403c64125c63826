import Testing
@testable import TelemetryCore

/// Attributing a rejected message to the registered device its topic names.
@Suite struct TopicDeviceLookupTests {
    let registry = SeriesRegistry()
    var lookup: TopicDeviceLookup {
        TopicDeviceLookup(
            templates: TopicTemplate.defaults + [try! TopicTemplate(pattern: "vn/{site}/influx", format: .influx)],
            registry: registry)
    }

    func device(_ topic: String) -> DeviceID? {
        Array(topic.utf8).withUnsafeBytes { lookup.device(ofTopic: $0) }
    }

    @Test func aTopicOfARegisteredDeviceNamesIt() {
        let ids = registry.register(SeriesKey(site: "hanoi", device: "d1", metric: "pm25"))!
        #expect(device("vn/hanoi/d1/telemetry") == ids.device)
        #expect(device("vn/hanoi/d1/pm10") == ids.device)
    }

    @Test func aDeviceNotRegisteredIsNotAttributedNorRegistered() {
        _ = registry.register(SeriesKey(site: "hanoi", device: "d1", metric: "pm25"))
        #expect(device("vn/hanoi/d2/telemetry") == nil)
        #expect(registry.deviceCount == 1)
        #expect(registry.deviceID(site: "hanoi", device: "d2") == nil)
    }

    @Test func aTopicNoTemplateMatchesIsNotAttributed() {
        _ = registry.register(SeriesKey(site: "hanoi", device: "d1", metric: "pm25"))
        #expect(device("other/hanoi/d1/telemetry") == nil)
        #expect(device("vn/hanoi/d1") == nil)
    }

    @Test func aBadTagIsNotAttributed() {
        _ = registry.register(SeriesKey(site: "hanoi", device: "d1", metric: "pm25"))
        #expect(device("vn/hanoi/d1\u{01}/telemetry") == nil)
        #expect(device("vn//d1/telemetry") == nil)
    }

    @Test func aTopicThatIsNotUTF8IsNotAttributed() {
        _ = registry.register(SeriesKey(site: "hanoi", device: "d1", metric: "pm25"))
        let topic = Array("vn/hanoi/d1/".utf8) + [0xFF] + Array("x".utf8)
        #expect(topic.withUnsafeBytes { lookup.device(ofTopic: $0) } == nil)
    }

    @Test func anInfluxTopicWithoutTheDeviceIsNotAttributed() {
        _ = registry.register(SeriesKey(site: "hanoi", device: "influx", metric: "m"))
        #expect(device("vn/hanoi/influx") == nil)
    }

    @Test func registryLookupOfADeviceDoesNotRegisterIt() {
        let id = registry.registerDevice(site: "hanoi", device: "d1")
        #expect(registry.deviceID(site: "hanoi", device: "d1") == id)
        #expect(registry.deviceID(site: "hcmc", device: "d1") == nil)
        #expect(registry.deviceCount == 1)
    }
}
