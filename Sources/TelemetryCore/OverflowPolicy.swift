/// What a producer does when the ring is full.
public enum OverflowPolicy: String, Sendable, CaseIterable {
    /// Wait until the aggregator makes room: nothing is lost, ingest slows down (the
    /// broker buffers, and with QoS ≥ 1 nothing is acknowledged early).
    case block
    /// Drop the message that does not fit and count it as `dropped`.
    case dropNewest = "drop_newest"
}
