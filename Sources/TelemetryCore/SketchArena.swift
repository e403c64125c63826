/// The quantile sketches of a ``WindowLane``'s slots, without a reference per sketch: one
/// flat table of bins (``QuantileSketch``'s `UInt64` key|count form) that every slot's
/// sketch lives in, so that adding a reading costs no retain, release or allocation.
///
/// A slot's sketch is a ``Ref`` of plain integers: while all its values fall in one bin, that
/// bin is held inline (`single`); from the second distinct bin on, its bins (sorted by key)
/// lie in a block of `bins` at `offset`, `count` of them, in a block of capacity
/// `8 << sizeClass` (8 … ``QuantileSketch/maxBins``). A full block moves to one of the next
/// class. A block given back (the window closed, the sketch grew) goes on its class's free
/// list (the list is threaded through the free blocks' first words), and the next block of
/// that class is taken from there; so in steady state — windows closing as fast as they
/// open — the table stops growing and nothing is allocated per window.
///
/// The sketch a closed window hands over is a ``QuantileSketch`` made from the slot's bins
/// (``take(_:)``): once per window, not per reading. The bins and the collapsing rule are
/// ``QuantileSketch``'s, so a slot's sketch equals the one adding the same keys to a
/// `QuantileSketch` would give.
///
/// Invariants: `refs[i].count` is 0 (no block: empty, or one bin in `single`) or 2…maxBins;
/// a slot with a block has `single == 0`; blocks of slots and free blocks never overlap;
/// a free block's first word is the offset of the next free block of its class
/// (`noBlock`: none).
///
/// Threading: a value type, owned by its lane (the aggregator thread); not `Sendable`.
struct SketchArena {
    /// One slot's sketch (16 bytes).
    struct Ref {
        /// The only bin while there is just one (0: none, or the bins are in a block).
        var single: UInt64 = 0
        /// Where the slot's block starts in `bins`.
        var offset: UInt32 = 0
        /// Bins in the block (0: no block).
        var count: UInt16 = 0
        /// The block's capacity is `8 << sizeClass`.
        var sizeClass: UInt8 = 0
    }

    static let smallestBlock = 8
    /// Classes 8, 16, … 2048 (= `QuantileSketch.maxBins`).
    static let classCount = 9
    static let noBlock = UInt32.max

    private(set) var refs: [Ref] = []
    /// Every block, in use or free.
    private(set) var bins: [UInt64] = []
    /// Per size class, the first free block (`noBlock`: none).
    private var freeHeads = [UInt32](repeating: SketchArena.noBlock, count: SketchArena.classCount)

    /// Number of slots.
    var count: Int { refs.count }

    /// The words of the bin table (blocks in use and free): what the arena holds.
    var tableWords: Int { bins.count }

    mutating func reserveCapacity(_ n: Int) { refs.reserveCapacity(n) }

    /// Appends `n` empty slots.
    mutating func appendEmpty(_ n: Int) {
        refs.append(contentsOf: repeatElement(Ref(), count: n))
    }

    /// Whether slot `i`'s sketch is empty.
    func isEmpty(_ i: Int) -> Bool { refs[i].single == 0 && refs[i].count == 0 }

    /// Adds a value to slot `i`'s sketch by its key (``QuantileSketch/key(for:)``).
    @inline(__always)
    mutating func add(_ i: Int, key: Int32) {
        let target = QuantileSketch.bin(key: key, count: 0) >> QuantileSketch.countBits
        let r = refs[i]
        if r.count == 0 {
            if r.single == 0 { refs[i].single = target << QuantileSketch.countBits | 1; return }
            if r.single >> QuantileSketch.countBits == target { refs[i].single &+= 1; return }
            spill(i, target << QuantileSketch.countBits | 1)
            return
        }
        let base = Int(r.offset), n = Int(r.count)
        // Binary search for the first bin whose key is ≥ key.
        var lo = base, hi = base + n
        while lo < hi {
            let mid = (lo + hi) >> 1
            if bins[mid] >> QuantileSketch.countBits < target { lo = mid + 1 } else { hi = mid }
        }
        if lo < base + n, bins[lo] >> QuantileSketch.countBits == target {
            bins[lo] &+= 1
            return
        }
        insert(i, target << QuantileSketch.countBits | 1, at: lo - base)
    }

    /// Moves slot `i`'s inline bin and a second one (another key) to a block.
    @inline(never)
    private mutating func spill(_ i: Int, _ bin: UInt64) {
        let single = refs[i].single
        let at = Int(allocate(sizeClass: 0))
        bins[at] = Swift.min(bin, single)
        bins[at + 1] = Swift.max(bin, single)
        refs[i] = Ref(single: 0, offset: UInt32(at), count: 2, sizeClass: 0)
    }

    /// Inserts `bin` at position `j` of slot `i`'s block (growing or collapsing it).
    @inline(never)
    private mutating func insert(_ i: Int, _ bin: UInt64, at j: Int) {
        var r = refs[i]
        let n = Int(r.count)
        if n >= QuantileSketch.maxBins {
            // Collapsing-lowest, as `QuantileSketch` does: insert, then fold the lowest two.
            let base = Int(r.offset)
            if j == 0 { bins[base] &+= bin & QuantileSketch.countMask; return }
            let low = bins[base] & QuantileSketch.countMask
            if j == 1 {
                bins[base] = bin &+ low
                return
            }
            let merged = bins[base + 1] &+ low
            var k = base + 1
            while k < base + j - 1 { bins[k] = bins[k + 1]; k += 1 }
            bins[base] = merged
            bins[base + j - 1] = bin
            return
        }
        if n == Self.smallestBlock << Int(r.sizeClass) {
            let from = Int(r.offset)
            let to = Int(allocate(sizeClass: Int(r.sizeClass) + 1))
            for k in 0..<n { bins[to + k] = bins[from + k] }
            release(offset: r.offset, sizeClass: Int(r.sizeClass))
            r.offset = UInt32(to)
            r.sizeClass += 1
        }
        let base = Int(r.offset)
        var k = base + n
        while k > base + j { bins[k] = bins[k - 1]; k -= 1 }
        bins[base + j] = bin
        r.count += 1
        refs[i] = r
    }

    /// A block of `8 << sizeClass` words: a free one, or a new one at the table's end.
    private mutating func allocate(sizeClass c: Int) -> UInt32 {
        let head = freeHeads[c]
        if head != Self.noBlock {
            freeHeads[c] = UInt32(truncatingIfNeeded: bins[Int(head)])
            return head
        }
        let at = bins.count
        bins.append(contentsOf: repeatElement(0, count: Self.smallestBlock << c))
        return UInt32(at)
    }

    private mutating func release(offset: UInt32, sizeClass c: Int) {
        bins[Int(offset)] = UInt64(freeHeads[c])
        freeHeads[c] = offset
    }

    /// Slot `i`'s sketch, as a value.
    func sketch(_ i: Int) -> QuantileSketch {
        let r = refs[i]
        if r.count == 0 { return QuantileSketch(single: r.single) }
        return bins.withUnsafeBufferPointer {
            QuantileSketch(sortedBins: UnsafeBufferPointer(rebasing: $0[Int(r.offset)..<Int(r.offset) + Int(r.count)]))
        }
    }

    /// Slot `i`'s sketch, leaving the slot empty (its block given back).
    mutating func take(_ i: Int) -> QuantileSketch {
        let taken = sketch(i)
        clear(i)
        return taken
    }

    /// Empties slot `i`'s sketch (its block given back).
    mutating func clear(_ i: Int) {
        let r = refs[i]
        if r.count > 0 { release(offset: r.offset, sizeClass: Int(r.sizeClass)) }
        refs[i] = Ref()
    }

    /// Sets slot `i`'s sketch to `sketch`.
    mutating func set(_ i: Int, to sketch: QuantileSketch) {
        clear(i)
        sketch.withBins { all in
            if all.count == 1 { refs[i].single = all[0]; return }
            guard all.count > 1 else { return }
            var c = 0
            while Self.smallestBlock << c < all.count { c += 1 }
            let at = Int(allocate(sizeClass: c))
            for k in 0..<all.count { bins[at + k] = all[k] }
            refs[i] = Ref(single: 0, offset: UInt32(at), count: UInt16(all.count), sizeClass: UInt8(c))
        }
    }
}
