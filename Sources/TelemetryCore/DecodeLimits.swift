/// Bounds the decoder enforces on every message.
///
/// Threading: an immutable value.
public struct DecodeLimits: Sendable, Equatable {
    /// Largest payload accepted, in bytes (`too_large` beyond). Default 64 KiB.
    public var maxPayloadBytes: Int
    /// How far an event time may be ahead of the ingest clock (`too_far_future` beyond).
    /// Default 5 minutes.
    public var maxFutureSkewMs: Int64

    public init(maxPayloadBytes: Int = 65_536, maxFutureSkewMs: Int64 = 300_000) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxFutureSkewMs = maxFutureSkewMs
    }
}
