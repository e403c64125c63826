/// One ingest thread's private, allocation-free map from tag bytes to series ids, in two
/// levels so that a message's tags are hashed once, not once per metric.
///
/// The first level maps a (site, device) pair to a small `Owner` number; the second maps
/// (owner, metric) to the ids the shared `SeriesRegistry` handed out. A message's topic costs
/// one hash of its site and device bytes (``owner(site:device:)``); each of its metrics then
/// costs one hash of the metric bytes and one byte comparison (``series(owner:metric:)``),
/// and no key is assembled. A miss asks the registry once (``register(site:device:metric:)``)
/// and remembers the answer; a refusal (series limit) is not remembered.
///
/// Invariants: only pairs and metrics that produced a registered series are stored, so every
/// stored key passed the decoder's ``TagRules`` check before it was registered — a hit needs
/// no check. Open addressing with linear probing over power-of-two tables; key bytes live in
/// one growing arena, so steady-state lookups allocate nothing.
///
/// Threading: owned by exactly one thread; not `Sendable`.
package struct SeriesKeyCache {
    /// Number of a (site, device) pair in this cache (dense, from 0).
    package typealias Owner = Int32

    /// The ids of a series, with the owner of its pair.
    package struct Entry {
        package var owner: Owner
        package var series: SeriesID
        package var device: DeviceID
    }

    private struct Pair {
        var hash: UInt64
        var offset: UInt32
        var siteLength: UInt32
        var deviceLength: UInt32
    }

    private struct Slot {
        var hash: UInt64 = 0
        var offset: UInt32 = 0
        var length: UInt32 = 0
        var owner: Owner = -1
        var series: SeriesID = .max
        var device: DeviceID = .max
    }

    /// Open-addressing table of indices into `pairs`; -1 is empty.
    private var pairSlots: [Int32]
    private var pairs: [Pair] = []
    private var slots: [Slot]
    private var arena: [UInt8] = []
    private var used = 0
    private let registry: SeriesRegistry

    package init(registry: SeriesRegistry, initialCapacity: Int = 1024) {
        self.registry = registry
        var cap = 16
        while cap < initialCapacity * 2 { cap <<= 1 }
        slots = Array(repeating: Slot(), count: cap)
        pairSlots = Array(repeating: -1, count: 64)
        arena.reserveCapacity(cap * 16)
    }

    /// Number of series this cache knows.
    package var count: Int { used }

    /// The owner of the (site, device) pair when a series of it is known; nil otherwise
    /// (its tags have then not been checked yet). (Lookups are `mutating` only so that a call
    /// on a cache stored in a class borrows it in place instead of copying — and retaining —
    /// its tables.)
    @inline(__always)
    package mutating func owner(site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer) -> Owner? {
        let h = Self.pairHash(site, device)
        let mask = pairSlots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let index = pairSlots[i]
            if index < 0 { return nil }
            let p = pairs[Int(index)]
            if p.hash == h, Int(p.siteLength) == site.count, Int(p.deviceLength) == device.count,
               arenaEquals(offset: Int(p.offset), site),
               arenaEquals(offset: Int(p.offset) + site.count, device) {
                return index
            }
            i = (i + 1) & mask
        }
    }

    /// The series of `metric` under `owner` when known; nil otherwise.
    @inline(__always)
    package mutating func series(owner: Owner, metric: UnsafeRawBufferPointer) -> Entry? {
        let h = Self.hash(metric, seed: UInt64(UInt32(bitPattern: owner)))
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot.series == .max { return nil }
            if slot.hash == h, slot.owner == owner, Int(slot.length) == metric.count,
               arenaEquals(offset: Int(slot.offset), metric) {
                return Entry(owner: owner, series: slot.series, device: slot.device)
            }
            i = (i + 1) & mask
        }
    }

    /// The ids of the series (site, device, metric), asking the registry when this cache does
    /// not know them; nil when the registry refuses a new series (limit reached). The caller
    /// has checked the tags.
    package mutating func register(
        site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer, metric: UnsafeRawBufferPointer
    ) -> Entry? {
        let known = owner(site: site, device: device)
        if let known, let hit = series(owner: known, metric: metric) { return hit }
        let key = SeriesKey(
            site: String(decoding: site, as: UTF8.self), device: String(decoding: device, as: UTF8.self),
            metric: String(decoding: metric, as: UTF8.self))
        guard let ids = registry.register(key) else { return nil }
        let o = known ?? addPair(site: site, device: device)
        insert(owner: o, metric: metric, series: ids.series, device: ids.device)
        return Entry(owner: o, series: ids.series, device: ids.device)
    }

    @inline(__always)
    private func arenaEquals(offset: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let n = key.count
        guard n > 0 else { return true }
        return arena.withUnsafeBytes { a in
            ByteComparison.equal(a.baseAddress! + offset, key.baseAddress!, count: n)
        }
    }

    private mutating func addPair(site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer) -> Owner {
        let h = Self.pairHash(site, device)
        let index = Int32(pairs.count)
        pairs.append(Pair(
            hash: h, offset: UInt32(arena.count), siteLength: UInt32(site.count), deviceLength: UInt32(device.count)))
        arena.append(contentsOf: site)
        arena.append(contentsOf: device)
        if pairs.count * 4 > pairSlots.count * 3 {
            pairSlots = Array(repeating: -1, count: pairSlots.count * 2)
            for k in pairs.indices { placePair(Int32(k)) }
        } else {
            placePair(index)
        }
        return index
    }

    private mutating func placePair(_ index: Int32) {
        let mask = pairSlots.count - 1
        var i = Int(truncatingIfNeeded: pairs[Int(index)].hash) & mask
        while pairSlots[i] >= 0 { i = (i + 1) & mask }
        pairSlots[i] = index
    }

    private mutating func insert(owner: Owner, metric: UnsafeRawBufferPointer, series: SeriesID, device: DeviceID) {
        if (used + 1) * 4 > slots.count * 3 { grow() }
        let offset = UInt32(arena.count)
        arena.append(contentsOf: metric)
        place(Slot(
            hash: Self.hash(metric, seed: UInt64(UInt32(bitPattern: owner))), offset: offset,
            length: UInt32(metric.count), owner: owner, series: series, device: device))
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

    /// The hash of a (site, device) pair (the site's length keeps `ab`+`c` apart from `a`+`bc`).
    @inline(__always)
    static func pairHash(_ site: UnsafeRawBufferPointer, _ device: UnsafeRawBufferPointer) -> UInt64 {
        hash(device, seed: hash(site, seed: UInt64(site.count)))
    }

    /// 64-bit FNV-1a over eight-byte words, started from `seed`, finished with a
    /// multiply-xorshift mix.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ (seed &* 0x9E37_79B9_7F4A_7C15)
        var i = 0
        let n = key.count
        guard let base = key.baseAddress else { return h }
        while i + 8 <= n {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        if i < n {
            // The last 1…7 bytes as one word (little-endian, zero-padded), with the length
            // folded in so that trailing zero bytes still count.
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift &+= 8
                i += 1
            }
            h = (h ^ tail ^ (UInt64(n) << 56)) &* 0x100_0000_01b3
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}
