import Configuration
import Foundation
import SystemPackage
import TelemetryCore
import TelemetryStorage
import TelemetryMQTT

/// Reads `DaemonConfiguration` from, in order of precedence: command-line overrides,
/// environment variables (`ring.size` ↔ `TELEMETRYD_RING_SIZE`; unprefixed ones such as a
/// container's own `LOG_LEVEL` are not read), the YAML file, built-in defaults.
///
/// Every value is read as text and parsed here, so a bad value stops start-up with a
/// `ConfigurationError` naming the key and what is expected; so does a key in the file that
/// is no setting (`ConfigurationKeys`, with a did-you-mean).
/// Threading: stateless; `load` may be called from any task.
package enum ConfigurationLoader {
    /// Loads and validates. `overrides` (key → text) win over everything else.
    /// `environmentVariables`: the environment to read (`environment` on), the process's by default.
    package static func load(
        file: String?, overrides: [String: String] = [:], environment: Bool = true,
        environmentVariables: [String: String]? = nil
    ) async throws -> DaemonConfiguration {
        try await loadRecordingSources(
            file: file, overrides: overrides, environment: environment, environmentVariables: environmentVariables
        ).configuration
    }

    /// `load`, also saying where each key's value came from (for `check-config`).
    package static func loadRecordingSources(
        file: String?, overrides: [String: String] = [:], environment: Bool = true,
        environmentVariables: [String: String]? = nil
    ) async throws -> (configuration: DaemonConfiguration, sources: ConfigurationSourceRecorder) {
        var providers: [any ConfigProvider] = []
        for key in overrides.keys.sorted() {
            if let problem = ConfigurationKeys.problem(withKey: key) { throw problem }
        }
        let memory = InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: overrides.map {
            (AbsoluteConfigKey(stringLiteral: $0.key), ConfigValue(stringLiteral: $0.value))
        }))
        providers.append(memory)
        if environment {
            let variables = environmentVariables ?? ProcessInfo.processInfo.environment
            for name in variables.keys.sorted() {
                if let problem = ConfigurationKeys.problem(withEnvironmentVariable: name) { throw problem }
            }
            providers.append(EnvironmentVariablesProvider(environmentVariables: variables).prefixKeys(with: ConfigKey("telemetryd")))
        }
        if let file {
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigurationError(key: "(file)", found: file, expected: "a readable YAML mapping (\(error))")
            }
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               let problem = ConfigurationFileKeys.problem(inYAML: text) {
                throw problem
            }
        }
        let sources = ConfigurationSourceRecorder()
        return (try parse(ConfigReader(providers: providers, accessReporter: sources)), sources)
    }

    static func parse(_ reader: ConfigReader) throws(ConfigurationError) -> DaemonConfiguration {
        var c = DaemonConfiguration()
        func text(_ key: String) -> String? {
            reader.string(forKey: ConfigKey(key)).map { $0.trimmingSpaces }
        }
        if let v = text("data_dir") {
            guard !v.isEmpty else { throw ConfigurationError(key: "data_dir", found: v, expected: "a directory path") }
            c.dataDirectory = DataDirectory(v)
        }
        if let specs = list(reader, "templates") {
            var templates: [TopicTemplate] = []
            for spec in specs {
                do { templates.append(try TopicTemplate(spec: spec)) } catch {
                    throw ConfigurationError(
                        key: "templates", found: spec,
                        expected: "'<pattern> <json|value|influx> [option=value …]' with {site}, {device}, {metric} placeholders (\(error.problem))")
                }
            }
            guard !templates.isEmpty else {
                throw ConfigurationError(key: "templates", found: "[]", expected: "at least one template")
            }
            c.templates = templates
        }
        if let names = list(reader, "windows") {
            var windows: [WindowSize] = []
            for n in names {
                guard let w = WindowSize(parsing: n) else {
                    throw ConfigurationError(key: "windows", found: n, expected: WindowSize.expectedFormat)
                }
                if !windows.contains(w) { windows.append(w) }
            }
            guard (1...64).contains(windows.count) else {
                throw ConfigurationError(key: "windows", found: "\(windows.count) sizes", expected: "1 to 64 window sizes")
            }
            c.windows = windows.sorted()
        }
        if let v = text("windows.align") {
            guard let alignment = WindowAlignment(parsing: v) else {
                throw ConfigurationError(key: "windows.align", found: v, expected: WindowAlignment.expectedFormat)
            }
            c.windowAlignment = alignment
        }
        if let v = text("lateness") { c.allowedLatenessMs = try duration(v, key: "lateness", allowZero: true) }
        if let v = text("idle_close") {
            c.idleCloseMs = v == "off" ? nil : try duration(v, key: "idle_close", allowZero: true, alsoAccepted: "off")
            if c.idleCloseMs == 0 { c.idleCloseMs = nil }
        }
        if let v = text("ring.size") {
            c.ringCapacity = try integer(v, key: "ring.size", range: 1_024...(1 << 24),
                                         expected: "a number of readings from 1024 to 16777216")
        }
        if let v = text("ring.overflow") {
            guard let p = OverflowPolicy(rawValue: v) else {
                throw ConfigurationError(key: "ring.overflow", found: v, expected: "block or drop_newest")
            }
            c.overflowPolicy = p
        }
        if let v = text("limits.max_payload_bytes") {
            c.limits.maxPayloadBytes = try integer(v, key: "limits.max_payload_bytes", range: 16...(256 << 20),
                                                   expected: "a byte count from 16 to 268435456")
        }
        if let v = text("limits.max_future_skew") {
            c.limits.maxFutureSkewMs = try duration(v, key: "limits.max_future_skew", allowZero: true)
        }
        if let v = text("limits.max_series") {
            c.maxSeries = try integer(v, key: "limits.max_series", range: 1...100_000_000,
                                      expected: "a number of series from 1 to 100000000")
        }
        if let v = text("files.format") {
            guard let f = RollupFileFormat(rawValue: v) else {
                throw ConfigurationError(key: "files.format", found: v, expected: "jsonl or csv")
            }
            c.fileFormat = f
        }
        if let values = percentileList(reader) {
            var percentiles: [Percentile] = []
            for v in values {
                guard let d = Double(v), let p = Percentile(percent: d) else {
                    throw ConfigurationError(
                        key: "percentiles", found: v, expected: "percents between 0 and 100 (exclusive), e.g. [50, 90, 99.9], or []")
                }
                if !percentiles.contains(p) { percentiles.append(p) }
            }
            c.percentiles = percentiles
        }
        if let v = text("retention.days") {
            c.retentionDays = try integer(v, key: "retention.days", range: 0...36_500,
                                          expected: "a whole number of days (0 keeps everything)")
        }
        if let v = text("status.devices_interval") {
            c.devicesIntervalMs = try duration(v, key: "status.devices_interval", allowZero: false)
        }
        if let v = text("status.interval") {
            c.statusIntervalMs = try duration(v, key: "status.interval", allowZero: false)
        }
        if let v = text("wal.segment_size") {
            c.walSegmentBytes = try integer(v, key: "wal.segment_size", range: 65_536...(1 << 30),
                                            expected: "a segment size in bytes from 65536 to 1073741824")
        }
        if let v = text("wal.enabled") {
            guard let flag = Bool(v) else { throw ConfigurationError(key: "wal.enabled", found: v, expected: "true or false") }
            c.walEnabled = flag
        }
        if let v = text("checkpoint.interval") {
            c.checkpointIntervalMs = try duration(v, key: "checkpoint.interval", allowZero: false)
        }
        if let v = text("log.level") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(v) else {
                throw ConfigurationError(key: "log.level", found: v, expected: levels.joined(separator: ", "))
            }
            c.logLevel = v
        }
        if let v = text("metrics.listen") {
            if v != "off" {
                guard let address = MetricsListenAddress(parsing: v) else {
                    throw ConfigurationError(key: "metrics.listen", found: v, expected: MetricsListenAddress.expectedFormat)
                }
                c.metricsListen = address
            }
        }
        try parseBroker(reader, into: &c.broker, text: text)
        return c
    }

    private static func parseBroker(
        _ reader: ConfigReader, into b: inout BrokerSettings, text: (String) -> String?
    ) throws(ConfigurationError) {
        if let v = text("mqtt.broker") {
            // The very parser `run` uses (BrokerConnectionPlan), so `check-config` accepts
            // exactly the URLs `run` does; the error shows the URL with its password masked.
            if let problem = BrokerURL.problem(with: v) {
                throw ConfigurationError(
                    key: "mqtt.broker", found: BrokerURL.redacted(v),
                    expected: "mqtt://[user[:pass]@]host[:port] or mqtts://… (\(problem))")
            }
            b.url = v
        }
        if let filters = list(reader, "mqtt.topics") {
            var subscriptions: [BrokerSettings.Subscription] = []
            for f in filters {
                let parts = f.split(separator: " ", omittingEmptySubsequences: true)
                let qos = parts.count == 2 ? Int(parts[1]) : (parts.count == 1 ? 1 : nil)
                guard let qos, (0...2).contains(qos), let filter = parts.first, Self.isValidFilter(String(filter)) else {
                    throw ConfigurationError(key: "mqtt.topics", found: f,
                                             expected: "'<topic filter> [0|1|2]', e.g. 'vn/#' or 'vn/+/+/telemetry 1'")
                }
                subscriptions.append(.init(filter: String(filter), qos: qos))
            }
            guard !subscriptions.isEmpty else {
                throw ConfigurationError(key: "mqtt.topics", found: "[]", expected: "at least one topic filter")
            }
            b.subscriptions = subscriptions
        }
        if let v = text("mqtt.client_id") {
            guard !v.isEmpty, v.utf8.count <= 65_535 else {
                throw ConfigurationError(key: "mqtt.client_id", found: v, expected: "a non-empty client id")
            }
            b.clientID = v
        }
        if let v = text("mqtt.clean_session") {
            guard let flag = Bool(v) else { throw ConfigurationError(key: "mqtt.clean_session", found: v, expected: "true or false") }
            b.cleanSession = flag
        }
        if let v = text("mqtt.keepalive") {
            b.keepaliveSeconds = Int(try duration(v, key: "mqtt.keepalive", allowZero: false) / 1_000)
            guard b.keepaliveSeconds >= 5 else {
                throw ConfigurationError(key: "mqtt.keepalive", found: v, expected: "at least 5s")
            }
        }
        if let v = text("mqtt.protocol") {
            switch v {
            case "3.1.1", "3", "311": b.protocolVersion = 3
            case "5", "5.0": b.protocolVersion = 5
            default: throw ConfigurationError(key: "mqtt.protocol", found: v, expected: "3.1.1 or 5")
            }
        }
        if let v = text("mqtt.username"), !v.isEmpty { b.username = v }
        if let v = text("mqtt.password_file"), !v.isEmpty { b.passwordFile = v }
        if let v = text("mqtt.tls.ca_file"), !v.isEmpty { b.tlsCAFile = v }
        if let v = text("mqtt.tls.ca_dir"), !v.isEmpty { b.tlsCADirectory = v }
        if let v = text("mqtt.tls.cert_file"), !v.isEmpty { b.tlsCertificateFile = v }
        if let v = text("mqtt.tls.key_file"), !v.isEmpty { b.tlsKeyFile = v }
        // The key blamed is the one missing, since the other is set.
        if let cert = b.tlsCertificateFile, b.tlsKeyFile == nil {
            throw ConfigurationError(key: "mqtt.tls.key_file", found: "",
                                     expected: "the client key file, since mqtt.tls.cert_file is set ('\(cert)')")
        }
        if let key = b.tlsKeyFile, b.tlsCertificateFile == nil {
            throw ConfigurationError(key: "mqtt.tls.cert_file", found: "",
                                     expected: "the client certificate file, since mqtt.tls.key_file is set ('\(key)')")
        }
        try parseReconnect(into: &b, text: text)
        if let v = text("mqtt.connect_attempts") {
            b.connectAttempts = try integer(v, key: "mqtt.connect_attempts", range: 0...1_000_000,
                                            expected: "a number of attempts (0 = keep trying forever)")
        }
        if let v = text("mqtt.connections") {
            b.connections = try integer(v, key: "mqtt.connections", range: 1...64, expected: "1 to 64 connections")
        }
    }

    /// `mqtt.reconnect.min`/`max`: whole seconds (the backoff counts seconds), min ≥ 1s,
    /// max ≥ min. When max < min the key blamed is the one set (max when both are): with
    /// only min set above the default max, min is what was mistyped.
    private static func parseReconnect(
        into b: inout BrokerSettings, text: (String) -> String?
    ) throws(ConfigurationError) {
        func seconds(_ key: String) throws(ConfigurationError) -> (text: String, seconds: Int)? {
            guard let v = text(key) else { return nil }
            let ms = try duration(v, key: key, allowZero: false)
            guard ms % 1_000 == 0 else {
                throw ConfigurationError(key: key, found: v, expected: "a whole number of seconds, at least 1s (e.g. 1s, 30s, 2m)")
            }
            return (v, Int(ms / 1_000))
        }
        let min = try seconds("mqtt.reconnect.min"), max = try seconds("mqtt.reconnect.max")
        if let min { b.reconnectMinSeconds = min.seconds }
        if let max { b.reconnectMaxSeconds = max.seconds }
        guard b.reconnectMaxSeconds >= b.reconnectMinSeconds else {
            if let max {
                throw ConfigurationError(key: "mqtt.reconnect.max", found: max.text,
                                         expected: "not less than mqtt.reconnect.min (\(b.reconnectMinSeconds)s)")
            }
            throw ConfigurationError(key: "mqtt.reconnect.min", found: min?.text ?? "",
                                     expected: "not more than mqtt.reconnect.max (\(b.reconnectMaxSeconds)s, its default)")
        }
    }

    /// MQTT topic filter rules: non-empty, `#` only as the whole last level, `+` only as a whole level.
    static func isValidFilter(_ f: String) -> Bool {
        guard !f.isEmpty, !f.contains("\0") else { return false }
        let levels = f.split(separator: "/", omittingEmptySubsequences: false)
        for (i, level) in levels.enumerated() {
            if level.contains("#"), level != "#" || i != levels.count - 1 { return false }
            if level.contains("+"), level != "+" { return false }
        }
        return true
    }

    /// `percentiles` as texts: a YAML list of numbers or strings, or a comma-separated string
    /// (`[]` or an empty string: none).
    private static func percentileList(_ reader: ConfigReader) -> [String]? {
        let key = ConfigKey("percentiles")
        if let a = reader.doubleArray(forKey: key) { return a.map { String($0) } }
        if let a = reader.intArray(forKey: key) { return a.map { String($0) } }
        return list(reader, "percentiles")
    }

    private static func list(_ reader: ConfigReader, _ key: String) -> [String]? {
        if let a = reader.stringArray(forKey: ConfigKey(key)) { return a.map { $0.trimmingSpaces } }
        guard let s = reader.string(forKey: ConfigKey(key)) else { return nil }
        return s.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }

    private static func integer(
        _ v: String, key: String, range: ClosedRange<Int>, expected: String
    ) throws(ConfigurationError) -> Int {
        guard let n = Int(v), range.contains(n) else { throw ConfigurationError(key: key, found: v, expected: expected) }
        return n
    }

    /// Parses `500ms`, `5s`, `2m`, `1h`, or plain seconds.
    static func duration(
        _ v: String, key: String, allowZero: Bool, alsoAccepted: String? = nil
    ) throws(ConfigurationError) -> Int64 {
        let expected = "a duration such as 500ms, 5s, 2m or 1h" + (allowZero ? " (0 allowed)" : "")
            + (alsoAccepted.map { ", or \($0)" } ?? "")
        if let seconds = Int64(v) {
            guard seconds > 0 || (allowZero && seconds == 0) else {
                throw ConfigurationError(key: key, found: v, expected: expected)
            }
            return seconds * 1_000
        }
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (unit, ms) in units where v.hasSuffix(unit) {
            if let n = Int64(v.dropLast(unit.count)), n >= 0, n <= 1_000_000, n > 0 || allowZero { return n * ms }
        }
        throw ConfigurationError(key: key, found: v, expected: expected)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
