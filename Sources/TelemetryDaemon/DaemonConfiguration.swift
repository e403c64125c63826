package import TelemetryCore
package import TelemetryStorage

/// Everything telemetryd can be configured with, validated.
///
/// Built by `ConfigurationLoader` from the YAML file, environment variables and
/// command-line flags; every field here has already been checked, so the rest of the
/// daemon never re-validates.
/// Threading: an immutable value.
package struct DaemonConfiguration: Sendable, Equatable {
    package var dataDirectory: DataDirectory = DataDirectory("/var/lib/telemetryd")
    package var templates: [TopicTemplate] = TopicTemplate.defaults
    package var windows: [WindowSize] = ["10s", "1m", "1h"].map { WindowSize(parsing: $0)! }
    package var allowedLatenessMs: Int64 = 5_000
    /// `idle_close`: how long (of ingest clock) a device must have sent nothing before its
    /// open windows whose end plus the lateness has passed are written; nil = off.
    package var idleCloseMs: Int64? = 30_000
    package var ringCapacity = 65_536
    package var overflowPolicy: OverflowPolicy = .block
    package var limits = DecodeLimits()
    package var maxSeries = 1_000_000
    package var fileFormat: RollupFileFormat = .jsonl
    package var retentionDays = 0
    package var statusIntervalMs: Int64 = 5_000
    /// How often (live mode) the state is checkpointed, which bounds the write-ahead log
    /// replayed after a crash and its disk use.
    package var checkpointIntervalMs: Int64 = 10_000
    /// Size of one write-ahead-log segment, reserved on disk when the segment is created.
    package var walSegmentBytes = 16 << 20
    package var logLevel = "info"
    package var broker = BrokerSettings()

    package init() {}
}
