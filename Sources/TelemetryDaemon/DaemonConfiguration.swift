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
    /// The UTC offset whose midnight windows start at (`windows.align`): a day window under
    /// `+07:00` is a Vietnamese day, 17:00Z to 17:00Z. Only sizes the offset is not a multiple
    /// of move; file names and times stay UTC.
    package var windowAlignment: WindowAlignment = .utc
    package var allowedLatenessMs: Int64 = 5_000
    /// How long a device must be quiet (on the ingest clock) before its windows whose end
    /// plus lateness has passed on its own clock are written; nil: only its own readings
    /// (or the end of a replay) close them.
    package var idleCloseMs: Int64? = 30_000
    package var ringCapacity = 65_536
    package var overflowPolicy: OverflowPolicy = .block
    package var limits = DecodeLimits()
    package var maxSeries = 1_000_000
    package var fileFormat: RollupFileFormat = .jsonl
    /// The percentile columns of rollups (`percentiles`); empty: no sketches, no columns.
    package var percentiles: [Percentile] = Percentile.defaults
    package var retentionDays = 0
    package var statusIntervalMs: Int64 = 5_000
    /// How often `devices.jsonl` (one line per device) is rewritten; it grows with the fleet,
    /// so it is written less often than status.json.
    package var devicesIntervalMs: Int64 = 15_000
    /// How often (live mode) the state is checkpointed, which bounds the write-ahead log
    /// replayed after a crash and its disk use.
    package var checkpointIntervalMs: Int64 = 10_000
    /// Size of one write-ahead-log segment, reserved on disk when the segment is created.
    package var walSegmentBytes = 16 << 20
    /// Whether `telemetryd run` logs every message before acknowledging it (`wal.enabled`).
    /// Off: no log, no periodic checkpoint (a stop still checkpoints the open windows); a
    /// crash loses what was in memory — the open windows and the messages not yet folded in —
    /// but never writes a rollup twice. For fleets where a lost window costs less than the
    /// disk writes (flash that wears, QoS 0 traffic the broker would not keep anyway).
    package var walEnabled = true
    package var logLevel = "info"
    /// Where `telemetryd run` serves Prometheus `/metrics` (`metrics.listen`); nil: off.
    package var metricsListen: MetricsListenAddress?
    package var broker = BrokerSettings()

    package init() {}
}
