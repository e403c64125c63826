import Synchronization

/// A bounded, lock-free, multi-producer single-consumer ring of `Reading`s, drained in batches.
///
/// Based on Dmitry Vyukov's bounded queue: every slot carries a sequence number that says
/// whether it is free for position `p` (`seq == p`) or holds the item of position `p`
/// (`seq == p + 1`). A producer reserves a whole message's readings at once by advancing
/// the shared tail with one compare-and-swap, so the readings of one message are always
/// contiguous and in order, however producers interleave. The single consumer frees slots
/// in order, which is why checking the last slot of a reservation suffices.
///
/// Invariants: capacity is a power of two; every item pushed is popped exactly once, in
/// reservation order.
/// Threading: `tryPush` from any number of threads. The consumer side (`drain`) is owned by
/// one thread, the aggregator thread, for the ring's whole life: two threads draining at
/// once would hand out the same readings twice.
/// It is `@unchecked Sendable` because the slot storage is raw memory whose every access is
/// ordered by the per-slot sequence atomics (release on write, acquire on read).
public final class ReadingRing: @unchecked Sendable {
    public let capacity: Int
    private let mask: Int
    private let items: UnsafeMutablePointer<Reading>
    /// One sequence number per slot, allocated once with the ring.
    private let sequences: UnsafeMutablePointer<Atomic<Int>>
    /// Next position to reserve; advanced by producers.
    private let tail: UnsafeMutablePointer<Atomic<Int>>
    /// Next position to consume; written only by the consumer, read by `count`.
    private let head: UnsafeMutablePointer<Atomic<Int>>

    /// `tail` and `head` each get a block of this many bytes to themselves, so that producers
    /// advancing the tail, the consumer writing the head, and everyone reading the fields
    /// above do not fight over one cache line (128 covers x86 pairs of 64-byte lines and
    /// Apple silicon's 128-byte lines).
    private static let positionStride = 128

    /// Creates a ring for at least `minimumCapacity` readings (rounded up to a power of two).
    public init(minimumCapacity: Int) {
        var cap = 2
        while cap < minimumCapacity { cap <<= 1 }
        capacity = cap
        mask = cap - 1
        items = .allocate(capacity: cap)
        sequences = .allocate(capacity: cap)
        for i in 0..<cap { (sequences + i).initialize(to: Atomic(i)) }
        let positions = UnsafeMutableRawPointer.allocate(
            byteCount: 2 * Self.positionStride, alignment: Self.positionStride)
        tail = positions.bindMemory(to: Atomic<Int>.self, capacity: 1)
        tail.initialize(to: Atomic(0))
        head = (positions + Self.positionStride).bindMemory(to: Atomic<Int>.self, capacity: 1)
        head.initialize(to: Atomic(0))
    }

    deinit {
        tail.deinitialize(count: 1)
        head.deinitialize(count: 1)
        UnsafeMutableRawPointer(tail).deallocate()
        sequences.deinitialize(count: capacity)
        sequences.deallocate()
        items.deallocate()
    }

    /// The sequence number of the slot of `position`.
    @inline(__always)
    private func sequence(_ position: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        sequences + (position & mask)
    }

    /// Readings currently in the ring (approximate while producers are active).
    public var count: Int { max(0, tail.pointee.load(ordering: .relaxed) - head.pointee.load(ordering: .relaxed)) }

    /// Tries to push all of `batch` as one contiguous run; returns false, pushing nothing,
    /// when there is not room for all of it. A batch larger than the ring never fits.
    @discardableResult
    public func tryPush(_ batch: UnsafeBufferPointer<Reading>) -> Bool {
        let n = batch.count
        guard n > 0 else { return true }
        guard n <= capacity else { return false }
        var pos = tail.pointee.load(ordering: .relaxed)
        while true {
            let last = pos + n - 1
            let seq = sequence(last).pointee.load(ordering: .acquiring)
            if seq == last {
                let (exchanged, current) = tail.pointee.weakCompareExchange(
                    expected: pos, desired: pos + n, successOrdering: .relaxed, failureOrdering: .relaxed)
                if exchanged { break }
                pos = current
            } else if seq < last {
                // The slot still holds an unconsumed item of the previous lap: full.
                let current = tail.pointee.load(ordering: .relaxed)
                if current == pos { return false }
                pos = current
            } else {
                pos = tail.pointee.load(ordering: .relaxed)
            }
        }
        for k in 0..<n {
            let p = pos + k
            (items + (p & mask)).initialize(to: batch[k])
            sequence(p).pointee.store(p + 1, ordering: .releasing)
        }
        return true
    }

    /// Pushes a single reading; see `tryPush(_:)`.
    @discardableResult
    public func tryPush(_ reading: Reading) -> Bool {
        withUnsafePointer(to: reading) { tryPush(UnsafeBufferPointer(start: $0, count: 1)) }
    }

    /// Consumer side: call only from the ring's one consumer thread. Hands up to `maxCount` ready readings, in order, to `body` as one
    /// buffer (or two, when the run wraps around the end of the storage), then frees their
    /// slots. Returns how many were consumed.
    @discardableResult
    public func drain(maxCount: Int, _ body: (UnsafeBufferPointer<Reading>) -> Void) -> Int {
        let start = head.pointee.load(ordering: .relaxed)
        var ready = 0
        while ready < maxCount, sequence(start + ready).pointee.load(ordering: .acquiring) == start + ready + 1 {
            ready += 1
        }
        guard ready > 0 else { return 0 }
        let first = start & mask
        let firstRun = min(ready, capacity - first)
        body(UnsafeBufferPointer(start: items + first, count: firstRun))
        if firstRun < ready { body(UnsafeBufferPointer(start: items, count: ready - firstRun)) }
        for k in 0..<ready {
            let p = start + k
            sequence(p).pointee.store(p + capacity, ordering: .releasing)
        }
        head.pointee.store(start + ready, ordering: .relaxed)
        return ready
    }
}
