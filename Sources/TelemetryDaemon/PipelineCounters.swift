import Atomics
import TelemetryCore

/// The ingest-side counters of a pipeline, shared by all producers and read by the status
/// writer.
///
/// Threading: `Sendable`; every field is an atomic updated with relaxed ordering (counters
/// need no ordering with other memory, only eventual visibility).
public final class PipelineCounters: Sendable {
    /// Messages handed to a producer.
    public let received = ManagedAtomic<Int>(0)
    /// Readings decoded and pushed into the ring.
    public let readings = ManagedAtomic<Int>(0)
    /// Messages dropped because the ring was full under `drop_newest`.
    public let dropped = ManagedAtomic<Int>(0)
    /// Times a producer had to wait for room under `block`.
    public let blocked = ManagedAtomic<Int>(0)
    /// Rejected messages per reason, indexed like `RejectReason.allCases`.
    public let rejected: [ManagedAtomic<Int>] = RejectReason.allCases.map { _ in ManagedAtomic<Int>(0) }

    public init() {}

    @inline(__always)
    public func count(_ reason: RejectReason) {
        rejected[Self.index[reason]!].wrappingIncrement(ordering: .relaxed)
    }

    public func rejectedCount(_ reason: RejectReason) -> Int {
        rejected[Self.index[reason]!].load(ordering: .relaxed)
    }

    private static let index: [RejectReason: Int] = Dictionary(
        uniqueKeysWithValues: RejectReason.allCases.enumerated().map { ($1, $0) })
}
