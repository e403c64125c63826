/// What a `WindowAggregator` must remember across a restart: each device's clock (watermark,
/// last arrival, offset) and counters, every open window with its running statistics, each
/// device's seq state, the ingest clock, and its counters.
///
/// Restoring it means a restart inside a window does not split that window's rollup into
/// two rows, a window that closed while the daemon was away is written once (on the first
/// advance of its device's clock after the restart), and seq-based duplicate detection carries on.
/// Series are stored by name (not id), so a checkpoint is independent of id assignment.
///
/// On disk it is one JSON object (``jsonBytes()``, ``init(json:)``) with these property names
/// as keys, sorted; a non-finite statistic (a sum that overflowed) is the string `inf`,
/// `-inf` or `nan`. A window's `sum` and `m2` are the accumulator's running sum and stored
/// M2 (scaled when ``RollupAccumulator/isScaled``), so a restored window goes on exactly. The keys are those the earlier `Codable` encoding used, so a checkpoint
/// written before still restores.
///
/// Threading: a value type.
public struct AggregatorCheckpoint: Sendable, Equatable {
    public struct OpenWindow: Sendable, Equatable {
        public var window: String
        public var startMs: Int64
        public var site: String
        public var device: String
        public var metric: String
        public var stats: RollupAccumulator
        /// The window's quantile sketch (empty in checkpoints written before sketches, or
        /// when the aggregator keeps none); on disk its text form, `sketch` beside `stats`.
        public var sketch = QuantileSketch()
    }

    public struct DeviceSeq: Sendable, Equatable {
        public var site: String
        public var device: String
        public var highest: Int64
        public var lowest: Int64
        public var seen: [UInt64]
    }

    /// One device's event-time clock and counters (see `DeviceState`).
    public struct DeviceClock: Sendable, Equatable {
        public var site: String
        public var device: String
        public var watermarkMs: Int64
        public var lastArrivalMs: Int64
        public var lastEventMs: Int64
        public var clockOffsetMs: Double
        public var counters: [String: Int]
    }

    public var version = 1
    public var windows: [String]
    public var allowedLatenessMs: Int64
    public var watermarkMs: Int64?
    public var open: [OpenWindow]
    public var devices: [DeviceSeq]
    public var counters: [String: Int]
    /// The pipeline's bookkeeping, not the aggregator's (which ignores them): the LSN of the
    /// last write-ahead-log record folded into this state, and the output epoch the
    /// checkpoint ends. Nil in checkpoints written before the write-ahead log.
    public var appliedLSN: Int? = nil
    public var epoch: Int? = nil
    /// Per-device clocks; empty in checkpoints written before them (which had only the one
    /// `watermarkMs`, now the latest event time of any device).
    public var clocks: [DeviceClock] = []
    /// The ingest clock when the checkpoint was taken; nil in older checkpoints.
    public var ingestClockMs: Int64? = nil
    /// The `windows.align` the open windows were aligned to (`WindowAlignment.name`, e.g.
    /// `+07:00`); nil in checkpoints written before it, which were aligned to UTC. Restoring
    /// under another alignment writes the open windows it moves as they stand
    /// (`WindowAggregator.restore(_:)`).
    public var windowAlignment: String? = nil
}
