import TelemetryTestSupport
import TelemetryMQTT
import Testing

/// Parsing `mqtt://` / `mqtts://` broker URLs.
@Suite struct BrokerURLTests {
    @Test func plainURLDefaultsToPort1883() throws {
        let url = try BrokerURL(parsing: "mqtt://broker.example.vn")
        #expect(url == BrokerURL(usesTLS: false, host: "broker.example.vn", port: 1883))
    }

    @Test func tlsURLDefaultsToPort8883() throws {
        let url = try BrokerURL(parsing: "MQTTS://10.0.0.7/")
        #expect(url.usesTLS && url.host == "10.0.0.7" && url.port == 8883 && url.credentials == nil)
    }

    @Test func explicitPortIsUsed() throws {
        #expect(try BrokerURL(parsing: "mqtt://localhost:11883").port == 11883)
    }

    @Test func credentialsArePercentDecoded() throws {
        let url = try BrokerURL(parsing: "mqtt://ingest%40hue:p%3Ass%2Fw%C3%B6rd@broker:1884")
        #expect(url.credentials == MQTTCredentials(username: "ingest@hue", password: "p:ss/wörd"))
        #expect(url.host == "broker" && url.port == 1884)
    }

    @Test func userWithoutPasswordIsAccepted() throws {
        #expect(try BrokerURL(parsing: "mqtt://reader@broker").credentials == MQTTCredentials(username: "reader"))
    }

    @Test func bracketedIPv6HostIsAccepted() throws {
        let url = try BrokerURL(parsing: "mqtts://u:p@[::1]:9883")
        #expect(url.host == "::1" && url.port == 9883 && url.usesTLS)
        #expect(url.description == "mqtts://u:***@[::1]:9883")
    }

    @Test(arguments: [
        ("broker:1883", "missing scheme"),
        ("http://broker", "unsupported scheme 'http'"),
        ("mqtt://", "missing host"),
        ("mqtt://:1883", "missing host"),
        ("mqtt://broker:0", "port '0'"),
        ("mqtt://broker:65536", "port '65536'"),
        ("mqtt://broker:12ab", "port '12ab'"),
        ("mqtt://broker:", "port ''"),
        ("mqtt://broker/telemetry", "unexpected path"),
        ("mqtt://broker?x=1", "unexpected path"),
        ("mqtt://[::1", "unterminated '['"),
        ("mqtt://[broker]", "not an IPv6 address"),
        ("mqtt://bro ker", "not a valid host name"),
        ("mqtt://:secret@broker", "empty user name"),
        ("mqtt://user:bad%zz@broker", "bad percent-encoding in the password"),
    ])
    func malformedURLIsRejectedWithExplanation(text: String, problem: String) {
        #expect {
            _ = try BrokerURL(parsing: text)
        } throws: { error in
            guard case .invalidBrokerURL(let message) = error as? MQTTError else { return false }
            return message.contains(problem) && message.contains("expected mqtt://[user[:password]@]host[:port]")
        }
    }

    @Test func descriptionRedactsPassword() throws {
        let url = try BrokerURL(parsing: "mqtt://ingest:hunter2@broker:1883")
        #expect(url.description == "mqtt://ingest:***@broker:1883")
        #expect(!"\(url)".contains("hunter2"))
        #expect(!String(reflecting: url).contains("hunter2"))
        var dumped = ""
        dump(url, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }

    /// Whatever is wrong with the URL — the scheme, a missing `://`, a `/` in the password —
    /// the error never carries the password.
    @Test(arguments: [
        "http://ingest:hunter2@broker", "http://ingest:hunter2/x@broker", "tcp:ingest:hunter2@broker",
        "mqtt:/ingest:hunter2@broker", "ingest:hunter2@broker://x", "mqtt://ingest:hunter2/x@broker",
        "mqtts://ingest:hunter2@bro ker",
    ])
    func noParseErrorEchoesThePassword(text: String) {
        #expect {
            _ = try BrokerURL(parsing: text)
        } throws: { error in
            !"\(error)".contains("hunter2") && "\(error)".contains("expected mqtt://")
        }
    }

    @Test func parseErrorRedactsPassword() {
        #expect {
            _ = try BrokerURL(parsing: "mqtt://ingest:hunter2@broker:99999")
        } throws: { error in
            "\(error)".contains("mqtt://ingest:***@broker:99999") && !"\(error)".contains("hunter2")
        }
    }

    @Test func configurationFromTLSURLUsesSystemTrustAndPort8883() throws {
        let configuration = MQTTClientConfiguration(
            brokerURL: try BrokerURL(parsing: "mqtts://ingest:hunter2@broker.example.vn"), clientID: "telemetryd-1")
        #expect(configuration.resolvedPort == 8883)
        #expect(configuration.tls == MQTTTLSConfiguration(trustRoots: .system))
        #expect(configuration.credentials?.password == "hunter2")
        #expect(!configuration.description.contains("hunter2"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }
}
