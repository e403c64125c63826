import Dispatch
import Synchronization

/// How the aggregator thread waits for readings without polling, and how producers wake it
/// early when the ring is filling up.
///
/// The consumer, finding the ring empty, `park`s for a bounded time (a few ms while traffic
/// flows, longer once it has been idle): readings wait at most that long for it, which is
/// nothing next to a window's lateness, and it turns a few hundred times a second instead of
/// once per message. A producer that leaves the ring at least a quarter full `ring`s, so a
/// burst never has to wait for the timeout to find room; a request to end rings too. Every
/// wake is also bounded by the timeout, so a ring lost to a race costs at most one timeout.
///
/// Invariants: `ring()` signals only a parked consumer (one signal per park at most, by the
/// `parked` exchange); a stray signal (a race with the consumer's own wake-up) only makes
/// its next park return at once.
///
/// Threading: `Sendable`. `park` from the ring's one consumer thread; `ring` from any thread.
final class RingDoorbell: Sendable {
    private let parked = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)

    init() {}

    /// Consumer side: waits up to `timeoutMs` unless `isReady()` (checked after announcing
    /// the park, so a producer's push before it cannot be missed) says there is work.
    func park(timeoutMs: Int, unless isReady: () -> Bool) {
        parked.store(true, ordering: .sequentiallyConsistent)
        if !isReady() {
            _ = semaphore.wait(timeout: .now() + .milliseconds(timeoutMs))
        }
        parked.store(false, ordering: .relaxed)
    }

    /// Wakes the consumer if it is parked. Cheap when it is not: one relaxed load.
    @inline(__always)
    func ring() {
        if parked.load(ordering: .relaxed), parked.exchange(false, ordering: .sequentiallyConsistent) {
            semaphore.signal()
        }
    }

    /// Producer side, after a push that left `inUse` of `capacity` slots taken: wakes the
    /// consumer once the ring is a quarter full.
    @inline(__always)
    func pushed(inUse: Int, capacity: Int) {
        if inUse >= capacity >> 2 { ring() }
    }
}
