import TelemetryTestSupport
import Foundation

/// A throw-away certificate authority with a broker certificate for 127.0.0.1 (IP
/// subjectAltName only, so connecting as "localhost" is a host name mismatch), a client
/// certificate, and an unrelated second CA with its own broker certificate — generated with `openssl` (EC P-256, fast).
struct TestPKI {
    let directory: URL

    var caFile: String { path("ca.crt") }
    var otherCAFile: String { path("other-ca.crt") }
    var serverCertificate: String { path("server.crt") }
    var serverKey: String { path("server.key") }
    /// A broker certificate for 127.0.0.1 signed by the *other* CA.
    var otherServerCertificate: String { path("other-server.crt") }
    var otherServerKey: String { path("other-server.key") }
    var clientCertificate: String { path("client.crt") }
    var clientKey: String { path("client.key") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Generates the files (on a Dispatch thread; openssl takes a while).
    static func make(in directory: URL) async throws -> TestPKI {
        try await offload { try TestPKI(in: directory) }
    }

    private init(in directory: URL) throws {
        self.directory = directory
        let openssl = "/usr/bin/openssl"
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try TestProcess.runBlocking(
                openssl,
                ["req", "-x509"] + curve + [
                    "-keyout", path("\(ca).key"), "-out", path("\(ca).crt"), "-days", "2",
                    "-subj", "/CN=telemetryd test \(ca)",
                ], timeout: .seconds(30))
        }
        try "subjectAltName=IP:127.0.0.1\n".write(
            to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(
            to: directory.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
        try "subjectAltName=IP:127.0.0.1\n".write(
            to: directory.appendingPathComponent("other-server.ext"), atomically: true, encoding: .utf8)
        for (name, subject, ca) in [
            ("server", "/CN=127.0.0.1", "ca"), ("client", "/CN=telemetryd-test-client", "ca"),
            ("other-server", "/CN=127.0.0.1", "other-ca"),
        ] {
            try TestProcess.runBlocking(
                openssl,
                ["req"] + curve + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject],
                timeout: .seconds(30))
            try TestProcess.runBlocking(
                openssl,
                [
                    "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).crt"), "-CAkey", path("\(ca).key"),
                    "-CAcreateserial", "-out", path("\(name).crt"), "-days", "2", "-extfile", path("\(name).ext"),
                ], timeout: .seconds(30))
        }
    }
}
