import Foundation
import TelemetryCore
import TelemetryMQTT
import TelemetryStorage

/// What `telemetryd check-config` prints: every setting (in ``ConfigurationKeys/all`` order)
/// with the value in effect, spelled as the file would spell it, and where it came from —
/// and the problems with the files the settings name.
///
/// Secrets are never shown: the broker URL's password is masked (`mqtt://u:***@host`), and
/// any key ``ConfigurationKeys/isSecret(_:)`` says is a secret prints `***`.
/// Threading: stateless.
package enum EffectiveConfiguration {
    /// One printed setting.
    package struct Entry: Sendable, Equatable {
        package var key: String
        package var value: String
        package var source: ConfigurationSource
    }

    /// Every setting this build parses, in order; keys another part parses
    /// (``value(of:in:)`` is nil for them) are left out.
    package static func entries(_ c: DaemonConfiguration, sources: ConfigurationSourceRecorder) -> [Entry] {
        ConfigurationKeys.all.compactMap { key in
            guard let value = value(of: key, in: c) else { return nil }
            return Entry(key: key, value: ConfigurationKeys.isSecret(key) ? "***" : value, source: sources.source(of: key))
        }
    }

    /// The lines `check-config` prints: `  key: value  (source)`.
    package static func lines(_ c: DaemonConfiguration, sources: ConfigurationSourceRecorder) -> [String] {
        let entries = entries(c, sources: sources)
        // Sources line up in one column, past which a long value (the templates) runs on.
        let width = min(entries.map { $0.key.count + $0.value.count }.max() ?? 0, 60)
        return entries.map { e in
            let pad = String(repeating: " ", count: max(1, width - e.key.count - e.value.count + 2))
            return "  \(e.key): \(e.value)\(pad)(\(e.source.rawValue))"
        }
    }

    /// The value of `key` in effect in `c`, as it would be written in the file; nil for a
    /// known key this build does not parse yet.
    package static func value(of key: String, in c: DaemonConfiguration) -> String? {
        let b = c.broker
        switch key {
        case "data_dir": return c.dataDirectory.root
        case "templates": return "[" + c.templates.map { "\"\($0.description)\"" }.joined(separator: ", ") + "]"
        case "windows": return "[" + c.windows.map(\.name).joined(separator: ", ") + "]"
        case "windows.align": return "\"\(c.windowAlignment.name)\""
        case "lateness": return duration(c.allowedLatenessMs)
        case "idle_close": return c.idleCloseMs.map(duration) ?? "off"
        case "ring.size": return "\(c.ringCapacity)"
        case "ring.overflow": return c.overflowPolicy.rawValue
        case "limits.max_payload_bytes": return "\(c.limits.maxPayloadBytes)"
        case "limits.max_future_skew": return duration(c.limits.maxFutureSkewMs)
        case "limits.max_series": return "\(c.maxSeries)"
        case "files.format": return c.fileFormat.rawValue
        case "percentiles":
            return "[" + c.percentiles.map { $0.percent == $0.percent.rounded() ? "\(Int($0.percent))" : "\($0.percent)" }
                .joined(separator: ", ") + "]"
        case "retention.days": return "\(c.retentionDays)"
        case "status.interval": return duration(c.statusIntervalMs)
        case "status.devices_interval": return duration(c.devicesIntervalMs)
        case "checkpoint.interval": return duration(c.checkpointIntervalMs)
        case "wal.enabled": return "\(c.walEnabled)"
        case "wal.segment_size": return "\(c.walSegmentBytes)"
        case "log.level": return c.logLevel
        case "metrics.listen": return c.metricsListen.map { "\($0)" } ?? "off"
        case "mqtt.broker": return BrokerURL.redacted(b.url)
        case "mqtt.topics": return "[" + b.subscriptions.map { "\"\($0.filter) \($0.qos)\"" }.joined(separator: ", ") + "]"
        case "mqtt.client_id": return b.clientID ?? "telemetryd-<hostname>"
        case "mqtt.clean_session": return "\(b.cleanSession)"
        case "mqtt.keepalive": return "\(b.keepaliveSeconds)s"
        case "mqtt.protocol": return b.protocolVersion == 5 ? "\"5\"" : "\"3.1.1\""
        case "mqtt.username": return b.username ?? "(none)"
        case "mqtt.password_file": return b.passwordFile ?? "(none)"
        case "mqtt.tls.ca_file": return b.tlsCAFile ?? "(none)"
        case "mqtt.tls.ca_dir": return b.tlsCADirectory ?? "(none)"
        case "mqtt.tls.cert_file": return b.tlsCertificateFile ?? "(none)"
        case "mqtt.tls.key_file": return b.tlsKeyFile ?? "(none)"
        case "mqtt.reconnect.min": return "\(b.reconnectMinSeconds)s"
        case "mqtt.reconnect.max": return "\(b.reconnectMaxSeconds)s"
        case "mqtt.connect_attempts": return "\(b.connectAttempts)"
        case "mqtt.connections": return "\(b.connections)"
        default: return nil
        }
    }

    /// Problems with the files the settings name (`ConfigurationKeys.referencedFiles`): one
    /// that does not exist or cannot be read, named by its key; `ca_dir` must be a readable
    /// directory, the others readable files. Then what `run` would refuse about the broker
    /// settings taken together (a password file without a user name).
    package static func fileProblems(_ c: DaemonConfiguration) -> [ConfigurationError] {
        let b = c.broker
        let files: [(String, String?)] = [
            ("mqtt.password_file", b.passwordFile), ("mqtt.tls.ca_file", b.tlsCAFile), ("mqtt.tls.ca_dir", b.tlsCADirectory),
            ("mqtt.tls.cert_file", b.tlsCertificateFile), ("mqtt.tls.key_file", b.tlsKeyFile),
        ]
        var problems: [ConfigurationError] = []
        for (key, path) in files {
            guard let path else { continue }
            if let problem = problem(withFile: path, directory: key == "mqtt.tls.ca_dir") {
                problems.append(ConfigurationError(key: key, found: path, expected: problem))
            }
        }
        if problems.isEmpty {
            do { _ = try BrokerConnectionPlan.clientConfigurations(b) } catch let error as ConfigurationError {
                problems.append(error)
            } catch {
                problems.append(ConfigurationError(key: "mqtt.broker", found: BrokerURL.redacted(b.url), expected: "\(error)"))
            }
        }
        return problems
    }

    /// What is wrong with `path` as a readable file (or directory); nil when nothing is.
    static func problem(withFile path: String, directory: Bool) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return directory ? "an existing directory of CA certificates (it does not exist)" : "an existing file (it does not exist)"
        }
        if isDirectory.boolValue != directory {
            return directory ? "a directory of CA certificates (it is a file)" : "a file (it is a directory)"
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            return "readable by the user telemetryd runs as (permission denied)"
        }
        return nil
    }

    /// `500ms`, `5s`, `2m`, `1h`, `1d`: the largest unit that divides it.
    static func duration(_ ms: Int64) -> String {
        if ms != 0, ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms != 0, ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms != 0, ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1_000 == 0 { return "\(ms / 1_000)s" }
        return "\(ms)ms"
    }
}
