/// What a pipeline is run for, which decides what it keeps across runs and how it stamps
/// what it writes.
///
/// Threading: a plain value.
package enum PipelineMode: String, Sendable, Equatable {
    /// `telemetryd run`: live MQTT ingestion. Open windows and per-device seq state are
    /// checkpointed when it stops and restored when it starts; a too-late dead letter is
    /// stamped with the wall clock.
    case live = "run"
    /// `telemetryd replay`: captures run as fast as possible. Nothing is checkpointed; a
    /// too-late dead letter is stamped with the watermark (the capture's own time).
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
