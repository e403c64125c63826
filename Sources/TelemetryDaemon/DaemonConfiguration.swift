import TelemetryCore
import TelemetryStorage

/// Everything telemetryd can be configured with, validated.
///
/// Built by `ConfigurationLoader` from the YAML file, environment variables and
/// command-line flags; every field here has already been checked, so the rest of the
/// daemon never re-validates.
/// Threading: an immutable value.
public struct DaemonConfiguration: Sendable, Equatable {
    public var dataDirectory: DataDirectory = DataDirectory("/var/lib/telemetryd")
    public var templates: [TopicTemplate] = TopicTemplate.defaults
    public var windows: [WindowSize] = ["10s", "1m", "1h"].map { WindowSize(parsing: $0)! }
    public var allowedLatenessMs: Int64 = 5_000
    public var ringCapacity = 65_536
    public var overflowPolicy: OverflowPolicy = .block
    public var limits = DecodeLimits()
    public var maxSeries = 1_000_000
    public var fileFormat: RollupFileFormat = .jsonl
    public var retentionDays = 0
    public var statusIntervalMs: Int64 = 5_000
    public var logLevel = "info"
    public var broker = BrokerSettings()

    public init() {}
}
