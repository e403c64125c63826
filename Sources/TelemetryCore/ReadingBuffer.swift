/// The decoder's growable scratch list of one message's readings, in memory of its own.
///
/// A Swift `Array` held in a class costs a uniqueness check per `append` and a retain and a
/// release of its storage each time it is borrowed (`withUnsafeBufferPointer`); for a few
/// readings per message these were a fifth of the replay thread's time. This buffer is a
/// pointer, a count and a capacity: appending is a store, borrowing is free.
///
/// Invariants: `base[0..<count]` are initialized `Reading`s (a trivial type: nothing to
/// deinitialize), `count <= capacity`. It grows by doubling, so once it has room for the
/// largest message seen it allocates nothing. The owner calls ``deallocate()`` exactly once
/// (in its `deinit`); the buffer is not copyable in spirit — a copy would share the memory.
///
/// Threading: owned by one decoder (one ingest thread); not `Sendable`.
struct ReadingBuffer {
    private(set) var base: UnsafeMutablePointer<Reading>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    /// The readings, valid until the next mutation.
    var readings: UnsafeMutableBufferPointer<Reading> { UnsafeMutableBufferPointer(start: base, count: count) }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    mutating func append(_ reading: Reading) {
        if count == capacity { grow() }
        (base + count).initialize(to: reading)
        count += 1
    }

    /// Keeps the first `n` readings (`n <= count`).
    @inline(__always)
    mutating func truncate(to n: Int) {
        precondition(n >= 0 && n <= count)
        count = n
    }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Reading>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }

    func deallocate() { base.deallocate() }
}
