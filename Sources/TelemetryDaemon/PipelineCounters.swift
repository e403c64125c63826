import Synchronization
package import TelemetryCore

/// The ingest-side counters of a pipeline, shared by all producers and read by the status
/// writer.
///
/// Invariants: counters only grow; `rejectedCount(_:)` is per `RejectReason`;
/// `rejectedByDevice()` counts the rejected messages attributed to a registered device
/// (`TopicDeviceLookup`), each at most once, so its sum is at most the rejections counted.
///
/// Messages received are counted per producer (`MessageTally`, one per ingest thread, so a
/// connection's count is its own and the network threads never share that cache line);
/// `received` is their sum.
///
/// Threading: `Sendable`. Every counter is an atomic updated with relaxed ordering (counters
/// need no ordering with other memory, only eventual visibility); the atomics themselves are
/// private, so callers can only count and read. The list of tallies is behind a `Mutex`,
/// taken when a producer is made and when `received` is read, never per message. The per-device rejections are a dictionary
/// behind a `Mutex`, touched only when a message is rejected, never per reading. `@unchecked`
/// because the per-reason atomics live in a buffer allocated once in `init`, never resized,
/// and freed in `deinit`; `Atomic` and `Mutex` themselves are `Sendable`.
package final class PipelineCounters: @unchecked Sendable {
    /// One per producer made (`makeTally()`), in the order they were made.
    private let tallies = Mutex<[MessageTally]>([])
    private let readingsCount = Atomic<Int>(0)
    private let droppedCount = Atomic<Int>(0)
    private let blockedCount = Atomic<Int>(0)
    /// One atomic per `RejectReason`, in the order of `RejectReason.allCases`.
    private let rejected: UnsafeMutablePointer<Atomic<Int>>
    /// Rejected messages per device they were attributed to.
    private let rejectedDevices = Mutex<[DeviceID: Int]>([:])

    package init() {
        rejected = .allocate(capacity: RejectReason.allCases.count)
        for i in RejectReason.allCases.indices { (rejected + i).initialize(to: Atomic(0)) }
    }

    deinit {
        rejected.deinitialize(count: RejectReason.allCases.count)
        rejected.deallocate()
    }

    /// Messages handed to a producer.
    package var received: Int { tallies.withLock { $0.reduce(0) { $0 + $1.count } } }

    /// A new tally for one producer's messages, counted in `received` from now on.
    func makeTally() -> MessageTally {
        let tally = MessageTally()
        tallies.withLock { $0.append(tally) }
        return tally
    }
    /// Readings decoded and pushed into the ring.
    package var readings: Int { readingsCount.load(ordering: .relaxed) }
    /// Messages dropped because the ring was full under `drop_newest`.
    package var dropped: Int { droppedCount.load(ordering: .relaxed) }
    /// Times a producer had to wait for room under `block`.
    package var blocked: Int { blockedCount.load(ordering: .relaxed) }

    /// Messages rejected for `reason` by a producer (not `too_late`, which the aggregator counts).
    package func rejectedCount(_ reason: RejectReason) -> Int {
        rejected[Self.index(of: reason)].load(ordering: .relaxed)
    }

    /// Rejected messages attributed to each device since this process started (including
    /// those recovered from the write-ahead log at start-up), by `DeviceID`; devices without
    /// any are absent. A copy, for the aggregator thread's per-device view.
    package func rejectedByDevice() -> [DeviceID: Int] {
        rejectedDevices.withLock { $0 }
    }

    /// Counts one rejected message against `device` (on the reject path only).
    func countRejected(device: DeviceID) {
        rejectedDevices.withLock { $0[device, default: 0] += 1 }
    }

    @inline(__always) func countReadings(_ n: Int) { readingsCount.wrappingAdd(n, ordering: .relaxed) }
    @inline(__always) func countDropped() { droppedCount.wrappingAdd(1, ordering: .relaxed) }
    @inline(__always) func countBlocked() { blockedCount.wrappingAdd(1, ordering: .relaxed) }
    @inline(__always) func count(_ reason: RejectReason) {
        rejected[Self.index(of: reason)].wrappingAdd(1, ordering: .relaxed)
    }

    private static let indices: [RejectReason: Int] = Dictionary(
        uniqueKeysWithValues: RejectReason.allCases.enumerated().map { ($1, $0) })

    @inline(__always) private static func index(of reason: RejectReason) -> Int { indices[reason]! }
}
