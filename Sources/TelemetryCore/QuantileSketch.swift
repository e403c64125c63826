/// A DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch with 1% relative
/// accuracy, the percentiles of a rollup.
///
/// Mapping: a value `v ≠ 0` falls in bin `i = ⌈ln|v| / ln γ⌉` with `γ = (1+α)/(1−α)`,
/// `α = 0.01`, so bin `i` holds `(γ^(i−1), γ^i]` and reports `2γ^i/(γ+1)`, which is within
/// `α·|v|` of every value in it (the logarithmic mapping; `ln` is computed here, without
/// Foundation). A bin is a signed *key*: `i + keyOffset` for positive values (the positive
/// store), `−(i + keyOffset)` for negative ones (the negative store, mirrored so that keys
/// sort as their values do), and key 0 for zero (the zero count). Every finite double has
/// a key in `±(keyOffset + 35,500)`.
///
/// Storage: bins sorted by key, each a `UInt64` packing `key + 2^19` (20 bits) above a count
/// (44 bits). A sketch is two words: while all its values fall in one bin (a window of one
/// reading, or of a steady sensor) that bin is held inline and nothing is allocated; at the
/// second distinct bin the bins move to an array with room for 8 (one allocation per
/// window), which grows by doubling beyond that. A window of ten sensor readings holds a
/// handful of bins.
///
/// Bounded size: at most ``maxBins`` (2048) bins. Past that the lowest bins collapse into
/// one (DDSketch's collapsing-lowest store): a value below the lowest key counts in the
/// lowest bin. The accuracy guarantee holds for every quantile whose rank lies above the
/// collapsed bin; with 2048 bins that is a range of positive values spanning a factor of
/// `γ^2047 ≈ 6·10^17` before anything collapses.
///
/// Quantiles follow the *lower* convention: ``quantile(_:)`` of `q` is (the estimate of)
/// the element of 0-based rank `⌊q·(n−1)⌋` of the sorted readings, within `α` of it
/// relative to its magnitude: `|estimate − x| ≤ 0.01·|x|`.
///
/// `merge` is exact: bins add, so merging the sketches of two windows equals the sketch of
/// their union, in any order and grouping (up to collapsing, which is the same either way).
///
/// Text form (``text``, ``init(text:)``): `dd1:` then base64 (RFC 4648) of the bins as
/// varints: for each bin in key order the zigzag-encoded difference of its key to the
/// previous one (the first to 0), then its count. Empty sketch: `dd1:`.
///
/// Invariants: keys strictly increase; every count is at least 1; at most `maxBins` bins;
/// exactly one bin is held inline (`single`), two or more in `spilled` (so equal sketches
/// compare equal).
/// Threading: a value type.
public struct QuantileSketch: Sendable, Hashable {
    /// The relative accuracy α.
    public static let relativeAccuracy = 0.01
    /// γ = (1+α)/(1−α).
    public static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    /// ln γ.
    static let logGamma = QuantileSketch.naturalLog(gamma)
    /// The most bins a sketch keeps before its lowest collapse.
    public static let maxBins = 2048
    /// Added to a bin index so that every finite non-zero magnitude has a positive key.
    static let keyOffset: Int32 = 40_000
    static let keyBias: Int64 = 1 << 19
    static let countBits: UInt64 = 44
    static let countMask: UInt64 = (1 << 44) - 1
    /// The version tag of the text form.
    public static let textTag = "dd1:"

    /// The only bin while there is just one (0: none, or `spilled` holds them).
    private var single: UInt64 = 0
    /// The bins, sorted by key, once there are two or more (empty otherwise).
    private var spilled: [UInt64] = []

    public init() {}

    /// The sketch of one bin (0: empty); for ``SketchArena``.
    init(single: UInt64) { self.single = single }

    /// The sketch of `bins` (sorted by key, counts ≥ 1, at most `maxBins`); for ``SketchArena``.
    init(sortedBins: UnsafeBufferPointer<UInt64>) {
        if sortedBins.count == 1 { single = sortedBins[0] } else if sortedBins.count > 1 { spilled = Array(sortedBins) }
    }

    /// Whether nothing was added.
    public var isEmpty: Bool { single == 0 && spilled.isEmpty }

    /// Number of bins in use.
    public var binCount: Int { spilled.isEmpty ? (single == 0 ? 0 : 1) : spilled.count }

    /// Number of values added.
    public var count: UInt64 { withBins { $0.reduce(0) { $0 &+ ($1 & Self.countMask) } } }

    /// The bins in key order.
    var bins: [UInt64] { withBins { Array($0) } }

    /// Calls `body` with the bins in key order (no allocation).
    @inline(__always)
    func withBins<R>(_ body: (UnsafeBufferPointer<UInt64>) -> R) -> R {
        if !spilled.isEmpty { return spilled.withUnsafeBufferPointer(body) }
        if single == 0 { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return withUnsafePointer(to: single) { body(UnsafeBufferPointer(start: $0, count: 1)) }
    }

    /// Sets the bins (sorted by key, at most `maxBins`), one bin inline.
    private mutating func setBins(_ all: [UInt64]) {
        if all.count == 1 {
            single = all[0]
            spilled = []
        } else {
            single = 0
            spilled = all
        }
    }

    @inline(__always) static func key(of bin: UInt64) -> Int32 { Int32(Int64(bin >> countBits) - keyBias) }
    @inline(__always) static func bin(key: Int32, count: UInt64) -> UInt64 {
        UInt64(Int64(key) + keyBias) << countBits | count
    }

    /// The key of a finite value (the aggregator computes it once for all window sizes).
    @inline(__always)
    public static func key(for value: Double) -> Int32 {
        if value == 0 { return 0 }
        let index = (naturalLog(value.magnitude) / logGamma).rounded(.up)
        let key = Int32(index) + keyOffset
        return value < 0 ? -key : key
    }

    /// The value a key reports: `±2γ^i/(γ+1)`, 0 for key 0. From two tables
    /// (`γ^(64a) · γ^b · 2/(γ+1)`, within a few ulps), by `exp` at the ends of the doubles.
    public static func value(ofKey key: Int32) -> Double {
        if key == 0 { return 0 }
        let i = Int(key.magnitude) - Int(keyOffset)
        let high = (i >> 6) + powerTableMiddle
        var v = 0.0
        if high >= 0, high < highPowers.count {
            v = highPowers[high] * lowPowers[i & 63]
        }
        if !(v.isNormal && v < 0x1p1000) {
            v = naturalExp(Double(i) * logGamma + logEstimateFactor)
        }
        let finite = Swift.min(v, .greatestFiniteMagnitude)
        return key < 0 ? -finite : finite
    }

    /// ln(2/(γ+1)): a bin's estimate relative to its upper bound.
    static let logEstimateFactor = naturalLog(2 / (gamma + 1))
    static let powerTableMiddle = 600
    /// `γ^(64a) · 2/(γ+1)` for `a` in `-600..<600` (0 or ∞ beyond the doubles).
    static let highPowers: [Double] = (-powerTableMiddle..<powerTableMiddle).map {
        naturalExp(Double($0 * 64) * logGamma + logEstimateFactor)
    }
    /// `γ^b` for `b` in `0..<64`.
    static let lowPowers: [Double] = (0..<64).map { naturalExp(Double($0) * logGamma) }

    /// Adds one finite value.
    @inline(__always)
    public mutating func add(_ value: Double) { add(key: Self.key(for: value)) }

    /// Adds one value by its key (``key(for:)``).
    @inline(__always)
    public mutating func add(key: Int32) {
        let target = Self.bin(key: key, count: 0)
        if spilled.isEmpty {
            if single == 0 { single = target | 1; return }
            if single >> Self.countBits == target >> Self.countBits { single &+= 1; return }
            spill(target | 1)
            return
        }
        // Binary search for the first bin whose key is ≥ key.
        var lo = 0, hi = spilled.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if spilled[mid] >> Self.countBits < target >> Self.countBits { lo = mid + 1 } else { hi = mid }
        }
        if lo < spilled.count, spilled[lo] >> Self.countBits == target >> Self.countBits {
            spilled[lo] &+= 1
            return
        }
        insert(target | 1, at: lo)
    }

    /// Moves the inline bin and a second one (another key) to the array.
    @inline(never)
    private mutating func spill(_ bin: UInt64) {
        spilled.reserveCapacity(8)
        if bin < single { spilled.append(bin); spilled.append(single) } else { spilled.append(single); spilled.append(bin) }
        single = 0
    }

    @inline(never)
    private mutating func insert(_ bin: UInt64, at i: Int) {
        if spilled.count >= Self.maxBins {
            if i == 0 { spilled[0] &+= bin & Self.countMask; return }  // below the collapsed range
            spilled.insert(bin, at: i)
            Self.collapseLowest(&spilled)
            return
        }
        spilled.insert(bin, at: i)
    }

    /// Collapses the lowest bins into one until at most `maxBins` remain.
    private static func collapseLowest(_ bins: inout [UInt64]) {
        let excess = bins.count - Self.maxBins
        guard excess > 0 else { return }
        var total: UInt64 = 0
        for b in bins[...excess] { total &+= b & Self.countMask }
        bins[excess] = Self.bin(key: Self.key(of: bins[excess]), count: total)
        bins.removeFirst(excess)
    }

    /// Adds every value of `other` (bins add).
    public mutating func merge(_ other: QuantileSketch) {
        if other.isEmpty { return }
        if isEmpty { self = other; return }
        let a = bins, b = other.bins
        var out: [UInt64] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] >> Self.countBits < b[j] >> Self.countBits) {
                out.append(a[i]); i += 1
            } else if i == a.count || b[j] >> Self.countBits < a[i] >> Self.countBits {
                out.append(b[j]); j += 1
            } else {
                out.append(a[i] &+ (b[j] & Self.countMask)); i += 1; j += 1
            }
        }
        Self.collapseLowest(&out)
        setBins(out)
    }

    /// The lower `q`-quantile (`0 ≤ q ≤ 1`) estimate; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        withBins { bins in
            guard let last = bins.last else { return nil }
            let total = bins.reduce(0) { $0 &+ ($1 & Self.countMask) }
            let rank = Swift.min(Swift.max(q, 0), 1) * Double(total - 1)
            var seen: UInt64 = 0
            for b in bins {
                seen += b & Self.countMask
                if Double(seen) > rank { return Self.value(ofKey: Self.key(of: b)) }
            }
            return Self.value(ofKey: Self.key(of: last))
        }
    }

    // MARK: text form

    /// The compact text form (see the type's documentation).
    public var text: String {
        var out: [UInt8] = [], scratch: [UInt8] = []
        appendText(to: &out, scratch: &scratch)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the text form to `out` (`scratch`: reused room for the varints; its content
    /// does not matter).
    public func appendText(to out: inout [UInt8], scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        var previous: Int64 = 0
        withBins { bins in
            for b in bins {
                let key = Int64(Self.key(of: b))
                let delta = key - previous
                previous = key
                Self.appendVarint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)), to: &scratch)
                Self.appendVarint(b & Self.countMask, to: &scratch)
            }
        }
        out.append(contentsOf: Self.textTag.utf8)
        Base64.append(scratch, to: &out)
    }

    /// Reads ``text``; nil when it is not a sketch of this version (a bad tag, bad base64,
    /// a truncated varint, keys not increasing or out of range, a zero count).
    public init?(text: String) {
        guard text.hasPrefix(Self.textTag),
              let bytes = Base64.decode(Array(text.utf8.dropFirst(Self.textTag.utf8.count)))
        else { return nil }
        var at = 0
        var previous: Int64 = 0
        var bins: [UInt64] = []
        func varint() -> UInt64? {
            var v: UInt64 = 0, shift: UInt64 = 0
            while at < bytes.count, shift < 64 {
                let b = bytes[at]; at += 1
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
            return nil
        }
        let limit = Int64(Self.keyOffset) + 40_000
        while at < bytes.count {
            guard let z = varint(), let count = varint(), count > 0, count <= Self.countMask else { return nil }
            let delta = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
            let (key, overflow) = previous.addingReportingOverflow(delta)
            guard !overflow, key.magnitude <= limit, bins.isEmpty || key > previous else { return nil }
            previous = key
            bins.append(Self.bin(key: Int32(key), count: count))
        }
        guard bins.count <= Self.maxBins else { return nil }
        setBins(bins)
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    // MARK: elementary functions (the standard library has none without Foundation)

    static let ln2 = 0.6931471805599453
    static let ln2Hi = 0.693147180369123816490
    static let ln2Lo = 1.90821492927058770002e-10

    /// ln x for finite x > 0, to within a few ulps.
    @inline(__always)
    static func naturalLog(_ x: Double) -> Double {
        var e = Double(x.exponent)
        var m = x.significand  // [1, 2)
        if m > 1.4142135623730951 { m *= 0.5; e += 1 }
        let s = (m - 1) / (m + 1)  // |s| ≤ 0.1716
        let s2 = s * s
        // 2·atanh(s) = 2s·Σ s^(2k)/(2k+1)
        var p = 1.0 / 23
        p = p * s2 + 1.0 / 21
        p = p * s2 + 1.0 / 19
        p = p * s2 + 1.0 / 17
        p = p * s2 + 1.0 / 15
        p = p * s2 + 1.0 / 13
        p = p * s2 + 1.0 / 11
        p = p * s2 + 1.0 / 9
        p = p * s2 + 1.0 / 7
        p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3
        p = p * s2 + 1
        return e * ln2Hi + (2 * s * p + e * ln2Lo)
    }

    /// e^x, to within a few ulps; +∞ beyond the doubles.
    static func naturalExp(_ x: Double) -> Double {
        if x > 709.8 { return .infinity }
        if x < -745.2 { return 0 }
        let k = (x / ln2).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo  // |r| ≤ 0.35
        var term = 1.0, sum = 1.0
        for n in 1...17 { term *= r / Double(n); sum += term }
        // sum · 2^k, in two steps so that neither overflows nor underflows early.
        let half = Int(k) / 2
        return sum * Double(sign: .plus, exponent: half, significand: 1)
            * Double(sign: .plus, exponent: Int(k) - half, significand: 1)
    }
}
