import Synchronization

/// The messages one producer (one ingest thread: an MQTT connection's network thread, the
/// recovery thread, a replay) has received; `PipelineCounters.received` sums them all, and the
/// metrics endpoint shows a connection's own as `telemetryd_connection_messages_total`.
///
/// Invariants: only grows.
/// Threading: `Sendable`; one relaxed atomic, added to by its producer's thread only and read
/// from any thread.
package final class MessageTally: Sendable {
    private let received = Atomic<Int>(0)

    init() {}

    /// Messages counted so far.
    package var count: Int { received.load(ordering: .relaxed) }

    @inline(__always) func countMessage() { received.wrappingAdd(1, ordering: .relaxed) }
}
