import TelemetryCore

/// The one list of telemetryd's configuration keys: what `ConfigurationLoader` reads, what
/// the README's Configuration table lists (a test holds the two together), what an unknown
/// key in the file is compared with for its did-you-mean, what `check-config` prints.
///
/// A key is written as in a YAML file with dotted keys (`mqtt.reconnect.min`); nested maps
/// (`mqtt:` / `reconnect:` / `min:`) name the same key. Its environment variable is
/// ``environmentName(_:)`` (`TELEMETRYD_MQTT_RECONNECT_MIN`).
/// Threading: stateless.
package enum ConfigurationKeys {
    /// Every key, in the order `check-config` prints them.
    package static let all: [String] = [
        "data_dir",
        "templates",
        "windows",
        "windows.align",
        "lateness",
        "idle_close",
        "ring.size",
        "ring.overflow",
        "limits.max_payload_bytes",
        "limits.max_future_skew",
        "limits.max_series",
        "files.format",
        "retention.days",
        "status.interval",
        "status.devices_interval",
        "checkpoint.interval",
        "wal.enabled",
        "wal.segment_size",
        "log.level",
        "metrics.listen",
        "percentiles",
        "mqtt.broker",
        "mqtt.topics",
        "mqtt.client_id",
        "mqtt.clean_session",
        "mqtt.keepalive",
        "mqtt.protocol",
        "mqtt.username",
        "mqtt.password_file",
        "mqtt.tls.ca_file",
        "mqtt.tls.ca_dir",
        "mqtt.tls.cert_file",
        "mqtt.tls.key_file",
        "mqtt.reconnect.min",
        "mqtt.reconnect.max",
        "mqtt.connect_attempts",
        "mqtt.connections",
    ]

    /// Keys whose value is a file (or directory) telemetryd reads; `check-config` checks them.
    package static let referencedFiles: [String] = [
        "mqtt.password_file", "mqtt.tls.ca_file", "mqtt.tls.ca_dir", "mqtt.tls.cert_file", "mqtt.tls.key_file",
    ]

    /// The prefix of every environment variable telemetryd reads; others (a container's
    /// own `LOG_LEVEL`, `DATA_DIR`) are not looked at.
    package static let environmentPrefix = "TELEMETRYD_"

    /// The environment variable that sets `key`: the prefix, then the key upper-cased with
    /// dots as underscores (`ring.size` → `TELEMETRYD_RING_SIZE`).
    package static func environmentName(_ key: String) -> String {
        environmentPrefix + String(key.uppercased().map { $0 == "." ? "_" : $0 })
    }

    /// Variables with the prefix that are not settings but belong to the project's tooling
    /// (`Fuzz/run.sh` builds the fuzz targets when `TELEMETRYD_FUZZ` is set).
    package static let otherEnvironmentVariables: Set<String> = ["TELEMETRYD_FUZZ"]

    /// The error for a variable of the environment: nil unless it has the prefix and is no
    /// setting (`TELEMETRYD_LOG_LEVL`), which is named with the closest setting's variable.
    package static func problem(withEnvironmentVariable name: String) -> ConfigurationError? {
        guard name.hasPrefix(environmentPrefix), !otherEnvironmentVariables.contains(name) else { return nil }
        let names = all.map(environmentName)
        if names.contains(name) { return nil }
        return .unknownKey(name, suggestion: NearestName.suggestion(for: name, among: names))
    }

    /// Whether the value of `key` is a secret that is never printed: any key naming a
    /// password, except one naming the file that holds it (a path, printed so that a wrong
    /// one can be seen).
    package static func isSecret(_ key: String) -> Bool {
        key.contains("password") && !key.hasSuffix("_file")
    }

    /// The groups of keys (`mqtt`, `mqtt.tls`, `ring`, …): what a nested map in the file is named.
    package static let groups: Set<String> = {
        var groups: Set<String> = []
        for key in all {
            var parts = key.split(separator: ".").dropLast()
            while !parts.isEmpty {
                groups.insert(parts.joined(separator: "."))
                parts = parts.dropLast()
            }
        }
        return groups
    }()

    /// The error for a key found in the file: nil when it is a setting. An unknown key is
    /// named with the closest setting (a typo, `windws` → `windows`), else with the setting
    /// whose last part it is (`reconnect.min` written at the top → `mqtt.reconnect.min`).
    package static func problem(withKey key: String) -> ConfigurationError? {
        if all.contains(key) { return nil }
        if let near = NearestName.suggestion(for: key, among: all) {
            return .unknownKey(key, suggestion: near)
        }
        let tail = all.filter { $0.hasSuffix("." + key) }
        return .unknownKey(key, suggestion: tail.count == 1 ? tail[0] : nil)
    }
}
