import Testing

@testable import TelemetryMQTT

/// The error a failed connection attempt reports, and reading TLS reasons from libmosquitto's
/// error lines.
@Suite struct ConnectionAttemptTests {
    private let plain = MQTTClientConfiguration(host: "broker", port: 1883, connectTimeout: .seconds(3))

    @Test func loggedTLSReasonWinsOverTheOutcome() {
        let attempt = ConnectionAttempt(
            outcome: .lost("Connection reset by peer"),
            errorLines: ["OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed"])
        #expect(attempt.failure(configuration: plain, cancelled: false) == .tls(reason: "certificate verify failed"))
    }

    @Test func connectionClosedBeforeConnackIsUnreachableWithATLSHint() {
        let attempt = ConnectionAttempt(outcome: .lost("Connection reset by peer"))
        #expect(
            attempt.failure(configuration: plain, cancelled: false)
                == .unreachable(
                    host: "broker", port: 1883,
                    reason: "the connection closed before the broker accepted it (Connection reset by peer); "
                        + "if this port expects TLS, use mqtts://"))
    }

    @Test func attemptWithoutOutcomeTimedOut() {
        let attempt = ConnectionAttempt(abandoned: true)
        #expect(
            attempt.failure(configuration: plain, cancelled: false)
                == .unreachable(
                    host: "broker", port: 1883,
                    reason: "no CONNACK within 3.0 seconds (is this an MQTT port, or one that expects TLS?)"))
    }

    @Test func attemptWithoutOutcomeOfACancelledTaskIsCancelled() {
        #expect(ConnectionAttempt(abandoned: true).failure(configuration: plain, cancelled: true) == .cancelled)
    }

    @Test func refusalIsReportedWithTheBrokersReason() {
        let attempt = ConnectionAttempt(outcome: .refused("not authorised [code 5]"))
        #expect(attempt.failure(configuration: plain, cancelled: false) == .refused(reason: "not authorised [code 5]"))
    }

    @Test func tlsReasonsAreShortenedAndNotRepeated() {
        let lines = [
            "OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed",
            "Error: host name verification failed.",
            "OpenSSL Error[1]: error:0A000086:SSL routines::certificate verify failed",
            "Error: Connection refused",
        ]
        #expect(TLSFailureText.reasons(lines) == ["certificate verify failed", "host name verification failed"])
    }
}
