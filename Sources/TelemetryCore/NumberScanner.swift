/// Parses numbers straight from payload bytes: JSON's number grammar, exactly rounded,
/// without creating a `String` on the common path.
///
/// Numbers of up to 15 significant digits with a decimal exponent within ±22 (nearly every
/// sensor value) are converted exactly by one multiplication or division (Clinger's fast
/// path); anything longer falls back to the C library's correctly rounded conversion. Plain
/// literals of at most 15 digits without an exponent take a shorter scan still
/// (`scanPlainDecimal`), equal bit for bit to the general one.
///
/// Threading: stateless.
package enum NumberScanner {
    /// The outcome of scanning one number.
    package enum Result: Equatable, Sendable {
        /// A finite value; `integer` is set when the text had no fraction and no exponent
        /// and fits an `Int64`.
        case number(Double, integer: Int64?)
        /// Not a number in JSON's grammar.
        case malformed
        /// Syntactically a number but beyond a double's range (e.g. `1e999`).
        case nonFinite
    }

    @usableFromInline
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Scans a JSON number starting at `i`, leaving `i` just after it.
    @inlinable
    package static func scanJSON(_ b: UnsafeRawBufferPointer, at i: inout Int) -> Result {
        if let plain = scanPlainDecimal(b, at: &i) { return plain }
        return scanJSONGeneral(b, at: &i)
    }

    /// The fast path of ``scanJSON(_:at:)`` for the literals sensors send — `228.7`, `-3`,
    /// `48475.010`: no exponent and at most 15 digits, so the digits are exactly a `UInt64`
    /// below 2^53 and the value is one correctly rounded division by an exact power of ten
    /// (what the general path computes for them, bit for bit). Nil, with `i` unmoved, for
    /// anything else (an exponent, more digits, malformed text): the general path decides.
    @inlinable @inline(__always)
    static func scanPlainDecimal(_ b: UnsafeRawBufferPointer, at index: inout Int) -> Result? {
        let n = b.count
        var i = index
        var negative = false
        if i < n, b[i] == 0x2D { negative = true; i += 1 }
        guard i < n else { return nil }
        let first = b[i] &- 0x30
        guard first <= 9 else { return nil }
        var m: UInt64 = 0
        var digits = 0  // all digits, leading zeros included (wrapping past 15 is refused below)
        if first == 0 {
            i += 1
            digits = 1
            if i < n, b[i] &- 0x30 <= 9 { return nil }  // leading zero: malformed
        } else {
            while i < n {
                let d = b[i] &- 0x30
                if d > 9 { break }
                m = m &* 10 &+ UInt64(d)
                digits &+= 1
                i += 1
            }
        }
        var fraction = 0
        if i < n, b[i] == 0x2E {
            i += 1
            while i < n {
                let d = b[i] &- 0x30
                if d > 9 { break }
                m = m &* 10 &+ UInt64(d)
                fraction &+= 1
                i += 1
            }
            guard fraction > 0 else { return nil }
        }
        guard digits &+ fraction <= 15 else { return nil }
        if i < n, b[i] | 0x20 == 0x65 { return nil }
        index = i
        if fraction == 0 {
            let v = Double(m)
            let integer = Int64(m)
            return .number(negative ? -v : v, integer: negative ? -integer : integer)
        }
        let v = Double(m) / powersOfTen[fraction]
        return .number(negative ? -v : v, integer: nil)
    }

    /// ``scanJSON(_:at:)`` for every literal (the fast path's reference).
    @inlinable
    static func scanJSONGeneral(_ b: UnsafeRawBufferPointer, at i: inout Int) -> Result {
        let start = i
        guard let d = scanDecimal(b, at: &i) else { return .malformed }
        let integerValue = d.integerValue
        if d.significand == 0 { return .number(d.negative ? -0.0 : 0.0, integer: integerValue) }
        // A significand with dropped digits has 19 of them, so it is never below 2^53.
        if d.significand <= 1 << 53, d.exponent >= -22, d.exponent <= 22 {
            var v = Double(d.significand)
            v = d.exponent >= 0 ? v * powersOfTen[d.exponent] : v / powersOfTen[-d.exponent]
            return .number(d.negative ? -v : v, integer: integerValue)
        }
        return slowPath(UnsafeRawBufferPointer(rebasing: b[start..<i]), integer: integerValue)
    }

    /// Scans a JSON number starting at `i` into its decimal digits, leaving `i` just after it;
    /// nil when the text there is not a number in JSON's grammar (`i` is then somewhere
    /// inside it). Exact: no conversion to `Double` (see ``DecimalNumber``).
    @inlinable
    package static func scanDecimal(_ b: UnsafeRawBufferPointer, at i: inout Int) -> DecimalNumber? {
        let n = b.count
        var negative = false
        if i < n, b[i] == 0x2D { negative = true; i += 1 }
        guard i < n, b[i] &- 0x30 <= 9 else { return nil }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits taken into the mantissa
        var inexact = false     // a nonzero digit beyond what the mantissa holds
        var exponent = 0
        var isInteger = true
        if b[i] == 0x30 {
            i += 1
            if i < n, b[i] &- 0x30 <= 9 { return nil }  // leading zero
        } else {
            while i < n, b[i] &- 0x30 <= 9 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30); digits += 1 }
                else { exponent += 1; inexact = inexact || b[i] != 0x30 }
                i += 1
            }
        }
        if i < n, b[i] == 0x2E {
            isInteger = false
            i += 1
            guard i < n, b[i] &- 0x30 <= 9 else { return nil }
            while i < n, b[i] &- 0x30 <= 9 {
                if mantissa == 0 && b[i] == 0x30 { exponent -= 1 }
                else if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(b[i] &- 0x30); digits += 1; exponent -= 1 }
                else { inexact = inexact || b[i] != 0x30 }
                i += 1
            }
        }
        if i < n, b[i] | 0x20 == 0x65 {
            isInteger = false
            i += 1
            var expNegative = false
            if i < n, b[i] == 0x2B || b[i] == 0x2D { expNegative = b[i] == 0x2D; i += 1 }
            guard i < n, b[i] &- 0x30 <= 9 else { return nil }
            var e = 0
            while i < n, b[i] &- 0x30 <= 9 {
                if e < 100_000 { e = e * 10 + Int(b[i] &- 0x30) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        return DecimalNumber(
            negative: negative, significand: mantissa, exponent: exponent, inexact: inexact, isIntegerText: isInteger)
    }

    @usableFromInline
    static func slowPath(_ text: UnsafeRawBufferPointer, integer: Int64?) -> Result {
        guard let v = Double(String(decoding: text, as: UTF8.self)) else { return .malformed }
        return v.isFinite ? .number(v, integer: integer) : .nonFinite
    }

    /// Parses a whole `value` payload: one number, optionally surrounded by white space and
    /// with a leading `+`. `NaN` and `Inf` spellings give `.nonFinite`.
    @inlinable
    package static func scanValuePayload(_ b: UnsafeRawBufferPointer) -> Result {
        var lo = 0
        var hi = b.count
        while lo < hi, isSpace(b[lo]) { lo += 1 }
        while hi > lo, isSpace(b[hi - 1]) { hi -= 1 }
        guard lo < hi else { return .malformed }
        if b[lo] == 0x2B {
            lo += 1
            if lo < hi, b[lo] == 0x2D { return .malformed }  // `+-1` is not a number
        }
        let body = UnsafeRawBufferPointer(rebasing: b[lo..<hi])
        var i = 0
        let r = scanJSON(body, at: &i)
        if case .malformed = r { return isNonFiniteWord(body) ? .nonFinite : .malformed }
        return i == body.count ? r : .malformed
    }

    @inlinable
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    @usableFromInline
    static func isNonFiniteWord(_ b: UnsafeRawBufferPointer) -> Bool {
        var word = String(decoding: b, as: UTF8.self).lowercased()
        if word.hasPrefix("-") || word.hasPrefix("+") { word.removeFirst() }
        return ["nan", "inf", "infinity"].contains(word)
    }
}
