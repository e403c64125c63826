/// A hash index from elements kept elsewhere (in an array, at their dense id) to their id:
/// what a `Dictionary<Element, ID>` would be, without holding a second copy of every element.
///
/// Each slot holds 32 bits of the element's hash and its id + 1 (0: empty), 8 bytes; the table
/// is at most half full, so it costs 16–32 bytes per element (a dictionary of `SeriesKey`
/// keys costs about 100–200). The caller passes the element's hash and says whether the
/// element at an id is the one looked for.
///
/// Invariants: every inserted id is found by its hash; the table's length is a power of two
/// and more than twice `count`.
/// Threading: a value type; `SeriesRegistry` keeps it behind its mutex.
struct DenseIDIndex {
    private var slots: [UInt64] = []
    private(set) var count = 0

    /// The id whose element matches, among those inserted with `hash`; nil when none does.
    @inline(__always)
    func find(hash: Int, _ matches: (UInt32) -> Bool) -> UInt32? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        let tag = UInt32(truncatingIfNeeded: hash)
        var i = Self.start(hash, mask)
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            let id = UInt32(truncatingIfNeeded: slot) &- 1
            if UInt32(truncatingIfNeeded: slot >> 32) == tag, matches(id) { return id }
            i = (i + 1) & mask
        }
    }

    /// Inserts `id` (not yet in the index) under `hash`.
    mutating func insert(_ id: UInt32, hash: Int) {
        if 2 * (count + 1) > slots.count { grow() }
        Self.place(UInt64(UInt32(truncatingIfNeeded: hash)) << 32 | UInt64(id &+ 1), in: &slots)
        count += 1
    }

    private mutating func grow() {
        var bigger = [UInt64](repeating: 0, count: Swift.max(64, slots.count * 2))
        for slot in slots where slot != 0 { Self.place(slot, in: &bigger) }
        slots = bigger
    }

    private static func place(_ slot: UInt64, in table: inout [UInt64]) {
        let mask = table.count - 1
        var i = start(Int(truncatingIfNeeded: slot >> 32), mask)
        while table[i] != 0 { i = (i + 1) & mask }
        table[i] = slot
    }

    /// The first slot to probe: the hash's 32 stored bits, spread (Fibonacci hashing).
    @inline(__always)
    private static func start(_ hash: Int, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(UInt32(truncatingIfNeeded: hash)) &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }
}
