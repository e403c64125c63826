/// A number as its decimal text wrote it, ±`significand` × 10^`exponent`, kept exactly where a
/// `Double` would round: `1796094000123456789` (past 2^53) or `1796094000.123` are held digit
/// for digit, so scaling one by a power of ten (a timestamp's unit) is exact.
///
/// Invariants: `significand` holds the first 19 significant digits of the text; any digits after
/// them were dropped (truncated toward zero), `exponent` counting the dropped integer digits, and
/// `inexact` says whether one of the dropped digits was not `0` (then the true magnitude lies
/// strictly between `significand` × 10^`exponent` and (`significand` + 1) × 10^`exponent`).
/// Made by ``NumberScanner/scanDecimal(_:at:)``.
///
/// Threading: a plain value.
package struct DecimalNumber: Sendable, Equatable {
    /// Whether the text began with `-` (also for `-0`).
    package var negative: Bool
    /// The significant digits kept, at most 19.
    package var significand: UInt64
    /// The power of ten the significand is scaled by.
    package var exponent: Int
    /// Whether a nonzero digit after the 19th was dropped.
    package var inexact: Bool
    /// Whether the text had neither a fraction nor an exponent (`12`, not `12.0` or `1.2e1`).
    package var isIntegerText: Bool

    @inlinable
    package init(negative: Bool, significand: UInt64, exponent: Int, inexact: Bool = false, isIntegerText: Bool = false) {
        self.negative = negative
        self.significand = significand
        self.exponent = exponent
        self.inexact = inexact
        self.isIntegerText = isIntegerText
    }

    /// An integer, exactly.
    @inlinable
    package init(_ value: Int64) {
        self.init(negative: value < 0, significand: value.magnitude, exponent: 0, isIntegerText: true)
    }

    /// The value when the text was a plain integer (no fraction, no exponent) within
    /// ±(2^63 − 1); nil otherwise.
    @inlinable
    package var integerValue: Int64? {
        // An integer's exponent is nonzero only when digits past the 19th were dropped: ≥ 10^19.
        guard isIntegerText, exponent == 0, significand <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(significand) : Int64(significand)
    }

    /// 10^0 … 10^19, every power of ten a `UInt64` holds.
    @usableFromInline
    static let powersOfTen: [UInt64] = {
        var p: [UInt64] = [1]
        for _ in 1...19 { p.append(p[p.count - 1] * 10) }
        return p
    }()

    /// The integer part of the magnitude, ⌊|value|⌋, or `UInt64.max` when it is larger.
    package var integerMagnitude: UInt64 {
        if significand == 0 { return 0 }
        if exponent >= 0 {
            guard exponent <= 19 else { return .max }
            let (p, overflow) = significand.multipliedReportingOverflow(by: Self.powersOfTen[exponent])
            return overflow ? .max : p
        }
        return -exponent > 19 ? 0 : significand / Self.powersOfTen[-exponent]
    }

    /// ⌊value × 10^`power`⌋ (toward the earlier, more negative integer), or nil when it does
    /// not fit an `Int64`. Integer arithmetic only: exact for every value this type holds.
    package func floor(timesPowerOfTen power: Int) -> Int64? {
        if significand == 0 { return 0 }
        let e = exponent + power
        var magnitude: UInt64
        var hasFraction = inexact
        if e >= 0 {
            guard e <= 19 else { return nil }
            let (p, overflow) = significand.multipliedReportingOverflow(by: Self.powersOfTen[e])
            guard !overflow else { return nil }
            // Dropped digits (only past the 19th) put the value at 10^18 × 10^e or more: beyond
            // any `Int64` once e > 0, so only e == 0 leaves a fraction to round.
            guard !inexact || e == 0 else { return nil }
            magnitude = p
        } else if -e > 19 {
            magnitude = 0
            hasFraction = true
        } else {
            let (q, r) = significand.quotientAndRemainder(dividingBy: Self.powersOfTen[-e])
            magnitude = q
            hasFraction = hasFraction || r != 0
        }
        if negative {
            if hasFraction { magnitude += 1 }  // cannot overflow: q < 10^19 here or p fit
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
