import Testing
@testable import TelemetryCore

@Suite struct SketchArenaTests {
    /// Adds `keys` to slot `i` of `arena` and to a fresh `QuantileSketch`; returns the latter.
    static func add(_ keys: [Int32], to arena: inout SketchArena, slot i: Int) -> QuantileSketch {
        var reference = QuantileSketch()
        for k in keys {
            arena.add(i, key: k)
            reference.add(key: k)
        }
        return reference
    }

    @Test func aSlotsSketchEqualsAQuantileSketchOfTheSameKeys() {
        var rng = SplitMix64(seed: 7)
        var arena = SketchArena()
        arena.appendEmpty(4)
        for (slot, n) in [(0, 1), (1, 2), (2, 40), (3, 700)] {
            let keys = (0..<n).map { _ in QuantileSketch.key(for: rng.unit() * 1_000 - 200) }
            let reference = Self.add(keys, to: &arena, slot: slot)
            #expect(arena.sketch(slot) == reference, "slot \(slot), \(n) keys")
        }
    }

    @Test func aFullSlotCollapsesItsLowestBinsAsAQuantileSketchDoes() {
        var arena = SketchArena()
        arena.appendEmpty(1)
        // Keys in a shuffled order over more than maxBins distinct bins, so that inserts land
        // at the front, the second place and further in.
        var rng = SplitMix64(seed: 3)
        let keys = (0..<6_000).map { _ in Int32(1 + rng.next() % 3_000) }
        let reference = Self.add(keys, to: &arena, slot: 0)
        #expect(reference.binCount == QuantileSketch.maxBins)
        #expect(arena.sketch(0) == reference)
    }

    @Test func takingASketchEmptiesTheSlot() {
        var arena = SketchArena()
        arena.appendEmpty(1)
        let reference = Self.add([5, 9, 9, 12], to: &arena, slot: 0)
        #expect(arena.take(0) == reference)
        #expect(arena.isEmpty(0))
        #expect(arena.sketch(0).isEmpty)
    }

    @Test func aSetSketchReadsBackAndKeepsGrowing() {
        var source = QuantileSketch()
        for k: Int32 in [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 97, 93] { source.add(key: k) }
        var arena = SketchArena()
        arena.appendEmpty(2)
        arena.set(1, to: source)
        #expect(arena.sketch(1) == source)
        arena.add(1, key: 50)
        source.add(key: 50)
        #expect(arena.sketch(1) == source)
    }

    @Test func windowAfterWindowTheBinTableStopsGrowing() {
        // 50 slots, each window adding 30 keys (a block of 32), then every window closing:
        // after the first round the freed blocks are reused and the table keeps its size.
        var arena = SketchArena()
        arena.appendEmpty(50)
        var rng = SplitMix64(seed: 11)
        var sizes: [Int] = []
        for _ in 0..<200 {
            for slot in 0..<50 {
                let keys = (0..<30).map { _ in Int32(1 + rng.next() % 400) }
                _ = Self.add(keys, to: &arena, slot: slot)
            }
            for slot in 0..<50 { _ = arena.take(slot) }
            sizes.append(arena.tableWords)
        }
        #expect(sizes.last == sizes.first)
        #expect(sizes.first! <= 50 * 32 + 8 + 16)  // one block per slot, and the two it outgrew last
    }
}
