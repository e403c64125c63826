/// One ingest thread's private, allocation-free map from tag bytes to series ids.
///
/// Keys are the bytes `site 0x00 device 0x00 metric`. A hit costs one hash and one byte
/// comparison; a miss asks the shared `SeriesRegistry` once and remembers the answer.
/// Open addressing with linear probing over a power-of-two table; key bytes live in one
/// growing arena, so steady-state lookups allocate nothing.
///
/// Threading: owned by exactly one thread; not `Sendable`.
package struct SeriesKeyCache {
    private struct Slot {
        var hash: UInt64 = 0
        var offset: UInt32 = 0
        var length: UInt32 = 0
        var series: SeriesID = .max
        var device: DeviceID = .max
    }

    private var slots: [Slot]
    private var arena: [UInt8] = []
    private var used = 0
    private let registry: SeriesRegistry

    package init(registry: SeriesRegistry, initialCapacity: Int = 1024) {
        self.registry = registry
        var cap = 16
        while cap < initialCapacity * 2 { cap <<= 1 }
        slots = Array(repeating: Slot(), count: cap)
        arena.reserveCapacity(cap * 16)
    }

    /// Number of series this cache knows.
    package var count: Int { used }

    /// The ids for the key in `key` (`site 0 device 0 metric`); `nil` when the registry
    /// refuses a new series (limit reached).
    package mutating func lookup(_ key: UnsafeRawBufferPointer) -> (series: SeriesID, device: DeviceID)? {
        let h = Self.hash(key)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot.series == .max { break }
            if slot.hash == h, Int(slot.length) == key.count, equalsArena(slot, key) {
                return (slot.series, slot.device)
            }
            i = (i + 1) & mask
        }
        guard let ids = registry.register(Self.seriesKey(key)) else { return nil }
        insert(hash: h, key: key, ids: ids)
        return ids
    }

    private func equalsArena(_ slot: Slot, _ key: UnsafeRawBufferPointer) -> Bool {
        arena.withUnsafeBytes { a in
            ByteComparison.equal(a.baseAddress! + Int(slot.offset), key.baseAddress!, count: key.count)
        }
    }

    private mutating func insert(hash h: UInt64, key: UnsafeRawBufferPointer, ids: (series: SeriesID, device: DeviceID)) {
        if (used + 1) * 4 > slots.count * 3 { grow() }
        let offset = UInt32(arena.count)
        arena.append(contentsOf: key)
        place(Slot(hash: h, offset: offset, length: UInt32(key.count), series: ids.series, device: ids.device))
        used += 1
    }

    private mutating func place(_ slot: Slot) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: slot.hash) & mask
        while slots[i].series != .max { i = (i + 1) & mask }
        slots[i] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: old.count * 2)
        for s in old where s.series != .max { place(s) }
    }

    static func seriesKey(_ key: UnsafeRawBufferPointer) -> SeriesKey {
        let parts = key.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        return SeriesKey(
            site: String(decoding: parts[0], as: UTF8.self),
            device: String(decoding: parts[1], as: UTF8.self),
            metric: String(decoding: parts[2], as: UTF8.self))
    }

    /// 64-bit FNV-1a over eight-byte words, finished with a multiply-xorshift mix.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var i = 0
        let n = key.count
        let base = key.baseAddress!
        while i + 8 <= n {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(key[i])) &* 0x100_0000_01b3
            i += 1
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
