import Testing
import TelemetryDaemon

/// `metrics.listen`: off by default, `host:port` with an IP address.
@Suite struct MetricsListenAddressTests {
    @Test func theEndpointIsOffByDefault() async throws {
        #expect(try await ConfigurationLoader.load(file: nil, environment: false).metricsListen == nil)
    }

    @Test func offTurnsItOff() async throws {
        #expect(try await ConfigurationLoader.load(file: nil, overrides: ["metrics.listen": "off"], environment: false).metricsListen == nil)
    }

    @Test func aLoopbackAddressAndPortIsAccepted() async throws {
        let c = try await ConfigurationLoader.load(file: nil, overrides: ["metrics.listen": "127.0.0.1:9464"], environment: false)
        #expect(c.metricsListen == MetricsListenAddress(parsing: "127.0.0.1:9464"))
        #expect(c.metricsListen?.host == "127.0.0.1")
        #expect(c.metricsListen?.port == 9464)
    }

    @Test func ipv6IsWrittenInBracketsAndLocalhostMeansIPv4Loopback() {
        #expect(MetricsListenAddress(parsing: "[::1]:9464")?.host == "::1")
        #expect(MetricsListenAddress(parsing: "[::1]:9464")?.description == "[::1]:9464")
        #expect(MetricsListenAddress(parsing: "localhost:9464")?.description == "127.0.0.1:9464")
    }

    @Test(arguments: ["9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "example.com:9464", "1.2.3:9464", "[::1]9464", ":9464", "127.0.0.1:+80"])
    func aValueThatIsNotAnAddressAndPortIsRejected(_ value: String) {
        #expect(MetricsListenAddress(parsing: value) == nil)
    }

    @Test func aBadValueNamesTheKey() async {
        await #expect(throws: ConfigurationError(key: "metrics.listen", found: "9464", expected: MetricsListenAddress.expectedFormat)) {
            _ = try await ConfigurationLoader.load(file: nil, overrides: ["metrics.listen": "9464"], environment: false)
        }
    }
}
