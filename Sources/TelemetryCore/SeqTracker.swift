/// Per-device sequence-number bookkeeping: recognises duplicates, counts gaps, notices
/// device restarts.
///
/// For each device it keeps the highest `seq` seen and a 1024-bit map of which of the 1024
/// seqs up to it were seen, so a message redelivered anywhere in that range (as a broker
/// does with its whole in-flight window after a reconnect) is a duplicate, not only a
/// repeat of the latest.
/// - `seq` above the highest by at most ``maxGap`` (1,000,000): accepted; the skipped
///   numbers are counted as `gaps`.
/// - `seq` above the highest by more: the device reset or re-seeded its counter, no run of
///   lost messages (accepted, counted in `restarts`, tracking starts over).
/// - within 1024 below the highest: a duplicate if seen (dropped), otherwise a late arrival
///   that fills a gap counted earlier (accepted, `gaps` goes down by one).
/// - 1024 or more below the highest: the device restarted its counter (accepted, counted
///   in `restarts`, tracking starts over).
///
/// Threading: owned by the aggregator thread.
public struct SeqTracker: Sendable {
    /// What to do with a message.
    public enum Verdict: Equatable, Sendable { case accept, duplicate }

    public static let windowSize: Int64 = 1024
    /// Largest forward jump counted as gaps; a longer one is a restart.
    public static let maxGap: Int64 = 1_000_000
    private static let words = Int(windowSize / 64)

    private var highest: [Int64] = []
    /// Per device, the first seq seen since tracking (re)started: gaps are counted above it.
    private var lowest: [Int64] = []
    private var seen: [UInt64] = []

    public private(set) var duplicates = 0
    public private(set) var gaps = 0
    public private(set) var restarts = 0

    public init() {}

    /// Judges message `seq` of `device`.
    public mutating func observe(device: DeviceID, seq: Int64) -> Verdict {
        let d = Int(device)
        if d >= highest.count {
            let newCount = Swift.max(d + 1, highest.count * 2)
            highest.append(contentsOf: repeatElement(-1, count: newCount - highest.count))
            lowest.append(contentsOf: repeatElement(-1, count: newCount - lowest.count))
            seen.append(contentsOf: repeatElement(0, count: newCount * Self.words - seen.count))
        }
        let h = highest[d]
        if h < 0 {
            reset(d, to: seq)
            return .accept
        }
        if seq > h {
            let jump = seq - h
            if jump > Self.maxGap {
                restarts += 1
                reset(d, to: seq)
                return .accept
            }
            gaps += Int(jump - 1)
            if jump >= Self.windowSize {
                clearAll(d)
            } else {
                var s = h + 1
                while s < seq { setBit(d, s, false); s += 1 }
            }
            setBit(d, seq, true)
            highest[d] = seq
            return .accept
        }
        if seq > h - Self.windowSize {
            if bit(d, seq) { duplicates += 1; return .duplicate }
            setBit(d, seq, true)
            // Only numbers above the first seq since the (re)start were ever counted as gaps.
            if seq > lowest[d] { gaps = Swift.max(0, gaps - 1) }
            return .accept
        }
        restarts += 1
        reset(d, to: seq)
        return .accept
    }

    /// Checkpointable state of one device: (highest, lowest, seen-bitmap words).
    public func state(of device: DeviceID) -> (highest: Int64, lowest: Int64, seen: [UInt64])? {
        let d = Int(device)
        guard d < highest.count, highest[d] >= 0 else { return nil }
        return (highest[d], lowest[d], Array(seen[d * Self.words..<(d + 1) * Self.words]))
    }

    /// Restores what `state(of:)` returned, and the counters.
    public mutating func restore(device: DeviceID, highest h: Int64, lowest l: Int64, seen bits: [UInt64]) {
        _ = observe(device: device, seq: h)
        let d = Int(device)
        highest[d] = h
        lowest[d] = l
        for k in 0..<Swift.min(bits.count, Self.words) { seen[d * Self.words + k] = bits[k] }
    }

    public mutating func restoreCounters(duplicates: Int, gaps: Int, restarts: Int) {
        self.duplicates = duplicates
        self.gaps = gaps
        self.restarts = restarts
    }

    private mutating func reset(_ d: Int, to seq: Int64) {
        clearAll(d)
        highest[d] = seq
        lowest[d] = seq
        setBit(d, seq, true)
    }

    private mutating func clearAll(_ d: Int) {
        for k in 0..<Self.words { seen[d * Self.words + k] = 0 }
    }

    private func bit(_ d: Int, _ s: Int64) -> Bool {
        let i = Int(s & (Self.windowSize - 1))
        return seen[d * Self.words + i >> 6] & (1 << UInt64(i & 63)) != 0
    }

    private mutating func setBit(_ d: Int, _ s: Int64, _ on: Bool) {
        let i = Int(s & (Self.windowSize - 1))
        let w = d * Self.words + i >> 6
        if on { seen[w] |= 1 << UInt64(i & 63) } else { seen[w] &= ~(1 << UInt64(i & 63)) }
    }
}
