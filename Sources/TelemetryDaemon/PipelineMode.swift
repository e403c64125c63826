/// What a pipeline is run for, which decides what it keeps across runs and what its ingest
/// clock is.
///
/// Threading: a plain value.
package enum PipelineMode: String, Sendable, Equatable {
    /// `telemetryd run`: live MQTT ingestion. Open windows and per-device state are
    /// checkpointed and restored when it starts; the ingest clock is the arrival time, and
    /// the wall clock between messages (so quiet devices' windows are written).
    case live = "run"
    /// `telemetryd replay`: captures run as fast as possible. Nothing is checkpointed; the
    /// ingest clock is the capture's arrival times only, so a replay is deterministic.
    case replay = "replay"

    /// Whether open windows and seq state are saved when stopping and restored at start.
    package var checkpoints: Bool { self == .live }
}

/// How a pipeline's run ends, given to `IngestPipeline.finish(_:)`.
///
/// Threading: a plain value.
package enum PipelineEnd: Sendable, Equatable {
    /// The input is exhausted (end of a replay): every open window is closed and written.
    case endOfInput
    /// The daemon stops but its input goes on (SIGTERM, or a replay that failed): open windows
    /// stay open, checkpointed in `.live` mode so the next start goes on with them.
    case stop
}
