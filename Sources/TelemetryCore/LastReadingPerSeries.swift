/// The rule for a metric given more than once in one JSON message (`{"x":1,"x":2}`, or
/// `{"power":{"v":1},"power.v":2}`, both naming `power.v`): the last occurrence wins, as for
/// `ts` and `seq`, so a message yields at most one reading per series.
///
/// ``keepLast(in:)`` collapses readings of the same series into one, at the place of the
/// first, holding the value of the last; the other readings keep their order. A message of a
/// few readings is collapsed by comparing each with those kept before it; a larger one uses a small
/// open-addressing table of reading positions keyed by series id, so it is linear in the
/// message's readings (a 64 KiB payload can hold thousands) and, once its table has grown to
/// the largest message seen, allocates nothing.
///
/// Threading: owned by one decoder (one ingest thread); not `Sendable`.
struct LastReadingPerSeries {
    /// Positions in the readings (kept so far) by hash of series id; `-1` is empty.
    private var slots: [Int32] = []

    init() { slots.reserveCapacity(128) }

    /// Keeps one reading per series in `readings`: the first one's place, the last one's
    /// value; returns how many are kept (they are `readings[0..<kept]`).
    mutating func keepLast(in readings: UnsafeMutableBufferPointer<Reading>) -> Int {
        let n = readings.count
        guard n > 1 else { return n }
        if n <= Self.smallMessage { return Self.keepLastSmall(in: readings) }
        var capacity = 16
        while capacity < 2 * n { capacity <<= 1 }
        let mask = capacity - 1
        slots.removeAll(keepingCapacity: true)
        slots.append(contentsOf: repeatElement(-1, count: capacity))
        var kept = 0
        for i in 0..<n {
            let reading = readings[i]
            // Fibonacci hashing: series ids are dense, this spreads them over the table.
            var h = Int(truncatingIfNeeded: (UInt64(reading.series) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
            while true {
                let slot = slots[h]
                if slot < 0 {
                    slots[h] = Int32(kept)
                    readings[kept] = reading
                    kept += 1
                    break
                }
                if readings[Int(slot)].series == reading.series {
                    readings[Int(slot)].value = reading.value
                    break
                }
                h = (h + 1) & mask
            }
        }
        return kept
    }

    /// Up to this many readings, comparing each with those kept before it beats the table.
    static let smallMessage = 12

    /// ``keepLast(in:)`` by direct comparison, for a message of at most ``smallMessage``.
    private static func keepLastSmall(in all: UnsafeMutableBufferPointer<Reading>) -> Int {
        var kept = 0
        outer: for i in 0..<all.count {
            let reading = all[i]
            for k in 0..<kept where all[k].series == reading.series {
                all[k].value = reading.value
                continue outer
            }
            if kept != i { all[kept] = reading }
            kept += 1
        }
        return kept
    }
}
