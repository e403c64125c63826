/// The fast path of ``JSONWriter/appendFloat(_:to:)``: the text of a double that is the
/// reading of a short decimal (`228.7`, `21.2`, `48475.01`, `0.0`) — most sensor values are —
/// made with integer arithmetic, byte for byte what the standard library's shortest round-trip
/// formatter writes for it; every other double is left to that formatter.
///
/// How: for a finite `v` with `0.001 ≤ |v| < 2^50`, take the largest `K ≤ 15` with
/// `|v| · 10^K < 2^50`, and `M = (|v| · 10^K).rounded()`. When `Double(M) / 10^K == |v|`
/// (`M` and `10^K` are exact doubles, so the division is the correctly rounded value of the
/// decimal `M / 10^K`: the test is exact, the argument of a Clinger fast path), `M · 10^-K`
/// reads back to `v`, and `M` without its trailing zeros (`k` of them stripped, down to no
/// fractional digit) is the shortest such decimal, so its digits with the point `k` places
/// from the right are the text (made as `|v|`'s integer part, a point, and the rest of `M`
/// without its trailing zeros, two digits at a time). Why that is the formatter's text:
/// - The decimals with `K` places that read back to `v` lie within half an ulp of `v`, i.e.
///   within `M · 2^-53 < 2^-3` of `|v| · 10^K` in units of `10^-K`: at most one of them, and
///   the computed product (off by at most half its own ulp, `≤ 2^-4`) rounds to it. So when
///   the test fails, no decimal with `K` or fewer places reads back to `v` (one with fewer
///   places is also one with `K`), and when it passes, every shorter decimal that reads back
///   is `M` with trailing zeros removed: stripping them all gives the fewest places, hence
///   (the candidates are all within a hair of `v`, so they share its number of integer
///   digits, or one of them is a power of ten) the fewest significant digits — the unique
///   shortest text, which is what the standard library writes (it writes the shortest, and
///   the closest among equally short ones).
/// - No decimal with `K ≤ 15` places below `2^50` is an exact midpoint between two doubles
///   (that would need `|v| ≥ 2^(53-K)`, so `M ≥ 2^53 · 5^K`), so the rounding direction of a
///   tie never matters.
/// - The standard library writes plain digits (`0.0001`, `9007199254740992.0`) from `1e-4` up
///   to `2^53` and an exponent outside (`9.999999999999999e-05`, `9.007199254740994e+15`);
///   `[0.001, 2^50)` is well inside. Below 1 it writes `0.` and the zeros (`0.00123`); an
///   integer gets `.0` (`230.0`); zero is `0.0` or `-0.0`.
///
/// Invariants: writes only when it returns true, and then exactly the bytes the standard
/// library's `Double.description` has (`ShortDecimalFormatterTests` compares millions).
/// Threading: stateless.
enum ShortDecimalFormatter {
    /// The smallest magnitude taken (the standard library switches to an exponent below 1e-4).
    static let smallest = 0.001
    /// `|v| · 10^K` stays below this, so the scaled value and its digits are exact.
    static let scaledLimit = 0x1p50

    /// Appends the text of `value` and returns true when it is a short decimal in the fast
    /// range (or zero); returns false, and appends nothing, otherwise.
    @inline(__always)
    static func append(_ value: Double, to out: inout [UInt8]) -> Bool {
        let magnitude = value.magnitude
        let negative = value.sign == .minus
        if magnitude == 0 {
            append(integer: 0, fraction: 0, places: 1, negative: negative, to: &out)
            return true
        }
        guard magnitude >= smallest, magnitude < scaledLimit else { return false }
        // |v| < 2^(e+1) and 10^K ≤ 2^(49-e) give |v| · 10^K < 2^50. 78913 / 2^18 is a hair
        // under log10(2), so K is never too large (at worst one smaller than it could be).
        // (The exponent from the bits: `Double.exponent` is a call, and v is normal here.)
        let exponent = Int(truncatingIfNeeded: magnitude.bitPattern >> 52) &- 1023
        let places = min(15, ((49 &- exponent) &* 78913) >> 18)
        let scale = powerOfTen(places)
        // Rounded to the nearest integer (x + 0.5 is exact below 2^52; truncation then floors).
        // Int64, not UInt64: x86-64 converts signed integers in one instruction.
        let scaled = Int64(magnitude * scale + 0.5)
        guard Double(scaled) / scale == magnitude else { return false }
        // Split at the point: the fraction is below 10^K (were it 10^K, the integer above
        // would read back to v, and v would be that integer).
        let integer = Int64(magnitude)
        let unit = Int64(scale)
        var fraction = UInt64(truncatingIfNeeded: scaled &- integer &* unit)
        guard fraction < UInt64(truncatingIfNeeded: unit) else { return false }
        if fraction == 0 {  // an integer: `230.0`
            append(integer: UInt64(truncatingIfNeeded: integer), fraction: 0, places: 1, negative: negative, to: &out)
            return true
        }
        // Drop the fraction's trailing zeros: it is not 0 and below 10^k, so 10^j divides it
        // only when j < k, and at least one place is left.
        var k = places
        if fraction % 100_000_000 == 0 { fraction /= 100_000_000; k &-= 8 }
        if fraction % 10_000 == 0 { fraction /= 10_000; k &-= 4 }
        if fraction % 100 == 0 { fraction /= 100; k &-= 2 }
        if fraction % 10 == 0 { fraction /= 10; k &-= 1 }
        append(integer: UInt64(truncatingIfNeeded: integer), fraction: fraction, places: k, negative: negative, to: &out)
        return true
    }

    /// Appends `[-]I.F`: `integer`'s digits, a point, and `fraction` as `places` digits
    /// (`1 ≤ places ≤ 15`, `fraction < 10^places`, `integer < 2^50`).
    @inline(__always)
    private static func append(integer: UInt64, fraction: UInt64, places: Int, negative: Bool, to out: inout [UInt8]) {
        // At most 15 digits after the point, 16 before it, a point and a sign.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            let pairs = digitPairs.utf8Start
            /// Writes the two digits of `pair` (0…99) at `at` and `at + 1`.
            @inline(__always) func put(_ pair: UInt64, at: Int) {
                buffer[at] = pairs[Int(truncatingIfNeeded: pair) &* 2]
                buffer[at &+ 1] = pairs[Int(truncatingIfNeeded: pair) &* 2 &+ 1]
            }
            var i = buffer.count
            var rest = fraction
            var left = places
            while left >= 2 {
                let (quotient, pair) = rest.quotientAndRemainder(dividingBy: 100)
                i &-= 2
                put(pair, at: i)
                rest = quotient
                left &-= 2
            }
            if left == 1 {
                i &-= 1
                buffer[i] = 0x30 &+ UInt8(truncatingIfNeeded: rest)
            }
            i &-= 1
            buffer[i] = 0x2E  // .
            rest = integer
            while rest >= 100 {
                let (quotient, pair) = rest.quotientAndRemainder(dividingBy: 100)
                i &-= 2
                put(pair, at: i)
                rest = quotient
            }
            if rest >= 10 {
                i &-= 2
                put(rest, at: i)
            } else {
                i &-= 1
                buffer[i] = 0x30 &+ UInt8(truncatingIfNeeded: rest)
            }
            if negative {
                i &-= 1
                buffer[i] = 0x2D  // -
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i...]))
        }
    }

    /// `00`, `01`, … `99`: two digits per step (a constant: no lazy initialisation).
    private static var digitPairs: StaticString {
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    }

    /// `10^n` for `0 ≤ n ≤ 15`, all exact doubles.
    @inline(__always)
    private static func powerOfTen(_ n: Int) -> Double {
        switch n {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        default: 1e15
        }
    }
}
