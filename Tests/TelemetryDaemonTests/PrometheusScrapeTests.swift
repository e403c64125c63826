import Foundation
import Testing
import TelemetryTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus server (Debian's `prometheus`) started on a loopback port with a
/// generated configuration that scrapes a live telemetryd every second.
final class TestPrometheus: Sendable {
    static let binary = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"
    static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: binary) && FileManager.default.isExecutableFile(atPath: promtool)
    }

    let port: Int
    let pid: pid_t
    let directory: String
    var log: String { directory + "/prometheus.log" }

    /// Starts Prometheus scraping `target` (`host:port`) every second.
    init(scraping target: String, directory: String) throws {
        self.directory = directory
        port = try TestBroker.freePort()
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: telemetryd
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['\(target)']

            """
        try FileManager.default.createDirectory(atPath: directory + "/tsdb", withIntermediateDirectories: true)
        try config.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        pid = try TestProcess.spawn(
            Self.binary,
            ["--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/tsdb",
             "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"],
            output: directory + "/prometheus.log")
    }

    deinit { TestProcess.terminate(pid) }

    /// The value of the instant query `query` (one series), or nil when it has no result yet.
    func value(of query: String) async throws -> Double? {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        let body = try await TestProcess.run(
            "/usr/bin/curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)"])
        guard let o = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let data = o["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
              let first = result.first, let value = first["value"] as? [Any], value.count == 2,
              let text = value[1] as? String else { return nil }
        return Double(text)
    }

    /// Polls `query` until it equals `expected`; the last value seen (nil: none).
    func waitFor(_ query: String, toEqual expected: Double, timeout: Duration = .seconds(60)) async -> Double? {
        let deadline = ContinuousClock.now + timeout
        var last: Double?
        while ContinuousClock.now < deadline {
            last = (try? await value(of: query)) ?? last
            if last == expected { return last }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return last
    }
}

@Suite(.serialized) struct PrometheusScrapeTests {
    @Test(.enabled(if: TestPrometheus.isInstalled, "skipped: prometheus/promtool not installed here (apt-get install prometheus); CI installs it"))
    func aRealPrometheusScrapesTheMessageCountAndPromtoolAcceptsTheExposition() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory("prometheus")
        defer { dir.remove() }
        let metricsPort = try TestBroker.freePort()
        let config = dir.path + "/telemetryd.yaml"
        try "metrics:\n  listen: 127.0.0.1:\(metricsPort)\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(
            brokerPort: broker.port, dataDir: dir.path + "/data", clientID: "t-prom-\(UUID().uuidString.prefix(6))",
            arguments: ["--config", config])
        try #require(await daemon.waitUntilReady(), "no READY=1; log:\n\(daemon.logText)")
        let serving = "serving Prometheus metrics on http://127.0.0.1:\(metricsPort)/metrics"
        let deadline = ContinuousClock.now + .seconds(10)
        while !daemon.logText.contains(serving), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(daemon.logText.contains(serving), "log:\n\(daemon.logText)")
        let prometheus = try TestPrometheus(scraping: "127.0.0.1:\(metricsPort)", directory: dir.path + "/prometheus")

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let messages = (0..<40).map { i in
            ("vn/hanoi/dev\(i % 4)/telemetry", "{\"ts\":\(now - 60_000 + Int64(i) * 100),\"seq\":\(i / 4 + 1),\"pm25\":\(i).5}")
        } + [("vn/hanoi/dev0/telemetry", "{not json")]
        try await publish(messages, port: broker.port)
        #expect(await waitForReceived(messages.count, dataDir: dir.path + "/data"), "log:\n\(daemon.logText)")

        let seen = await prometheus.waitFor("telemetryd_messages_total", toEqual: Double(messages.count))
        #expect(seen == Double(messages.count),
                "Prometheus saw \(seen.map { "\($0)" } ?? "nothing"); its log:\n\((try? String(contentsOfFile: prometheus.log, encoding: .utf8)) ?? "")")
        let badJSON = await prometheus.waitFor("telemetryd_dead_letters_total{reason=\"bad_json\"}", toEqual: 1)
        #expect(badJSON == 1)
        let perConnection = await prometheus.waitFor("sum(telemetryd_connection_messages_total)", toEqual: Double(messages.count))
        #expect(perConnection == Double(messages.count))
        #expect(await prometheus.waitFor("telemetryd_broker_connected", toEqual: 1) == 1)

        let scraped = dir.path + "/metrics.txt"
        try await TestProcess.run("/usr/bin/curl", ["-sS", "--max-time", "5", "-o", scraped, "http://127.0.0.1:\(metricsPort)/metrics"])
        let text = try String(contentsOfFile: scraped, encoding: .utf8)
        #expect(text.contains("# TYPE telemetryd_rollup_write_duration_seconds histogram"))
        do {
            try await TestProcess.run("/bin/sh", ["-c", "\(TestPrometheus.promtool) check metrics < '\(scraped)'"])
        } catch {
            Issue.record("promtool check metrics failed: \(error)\n\(text)")
        }
        #expect(await daemon.stop() == 0, "log:\n\(daemon.logText)")
    }
}
