import Foundation

/// How one table column of floating-point numbers is written: one notation for the whole
/// column and as many decimals as its values need, so that `1450.5` stays `1450.5` and a
/// growing energy counter (`33735.352`, `33736.388`) does not collapse to `33735`.
///
/// Decimals: the most any value of the column has in its shortest exact form (`33735.352`
/// has 3), capped at ``maxDecimals`` and at ``maxFixedDigits`` digits in all for the column's
/// largest value (a computed mean such as `33735.35234117` shows `33735.35234`); and, if two different values would still print the same,
/// more — up to ``maxDecimals`` — until they do not. Notation: fixed, unless a value is too
/// large (|v| ≥ 10¹⁵) or too small (0 < |v| < 10⁻⁶) to be written with those decimals; then
/// the whole column is in scientific notation with as many significant digits as its values
/// need (up to 9). With ``precision(_:)`` (the `--precision N` option) the column is fixed
/// with exactly N decimals. Non-finite values are `-`. CSV and JSON do not use this: they keep
/// the file's full precision.
///
/// Use: ``fit(_:)`` every value of the column (a stream, like `tail -f`, keeps fitting: the
/// decimals only grow), then ``format(_:)`` each.
///
/// Threading: a value type; mutate from one thread.
package struct ColumnNumberFormat: Sendable, Equatable {
    /// The most decimals a column gets without `--precision`.
    package static let maxDecimals = 6
    /// The most digits (integer and decimals) of the largest value, unless needed to keep
    /// values apart.
    package static let maxFixedDigits = 10
    /// The most significant digits of a column in scientific notation.
    package static let maxSignificantDigits = 9

    /// Decimals shown in fixed notation.
    package private(set) var decimals = 0
    /// Whether the column is in scientific notation.
    package private(set) var scientific = false
    /// Significant digits in scientific notation.
    package private(set) var significantDigits = 1
    /// Decimals fixed by `--precision`, or `nil` to follow the data.
    package let fixedDecimals: Int?
    /// The largest magnitude fitted so far.
    private var largest = 0.0
    /// Distinct finite values fitted so far (to keep them apart), up to a bound.
    private var seen: Set<Double> = []

    package init() { fixedDecimals = nil }

    private init(fixedDecimals: Int) {
        self.fixedDecimals = fixedDecimals
        self.decimals = fixedDecimals
    }

    /// A column with exactly `decimals` decimals in fixed notation (`--precision`).
    package static func precision(_ decimals: Int) -> ColumnNumberFormat {
        ColumnNumberFormat(fixedDecimals: Swift.max(0, decimals))
    }

    /// A format fitted to `values`.
    package static func fitted(_ values: some Sequence<Double>, precision: Int? = nil) -> ColumnNumberFormat {
        var format = precision.map(Self.precision) ?? ColumnNumberFormat()
        format.fit(values)
        return format
    }

    /// Widens the format so that every value of `values` shows what it needs.
    package mutating func fit(_ values: some Sequence<Double>) {
        guard fixedDecimals == nil else { return }
        for value in values where value.isFinite {
            let digits = Self.exactDigits(value)
            largest = Swift.max(largest, abs(value))
            let integerDigits = largest < 1 ? 1 : Int(log10(largest).rounded(.down)) + 1
            let cap = Swift.min(Self.maxDecimals, Swift.max(0, Self.maxFixedDigits - integerDigits))
            decimals = Swift.max(decimals, Self.decimalsShown(value, upTo: Swift.min(digits.decimals, cap)))
            significantDigits = Swift.min(Swift.max(significantDigits, digits.significant), Self.maxSignificantDigits)
            let magnitude = abs(value)
            if magnitude >= 1e15 || (magnitude > 0 && magnitude < 1e-6) { scientific = true }
            if seen.count < 10_000 { seen.insert(value) }
        }
        separate()
    }

    /// Adds decimals (or significant digits) until the distinct values seen print differently.
    private mutating func separate() {
        while true {
            var shown: Set<String> = []
            var collided = false
            for value in seen where !shown.insert(format(value)).inserted {
                collided = true
                break
            }
            guard collided else { return }
            if scientific {
                guard significantDigits < Self.maxSignificantDigits else { return }
                significantDigits += 1
            } else {
                guard decimals < Self.maxDecimals else { return }
                decimals += 1
            }
        }
    }

    /// `value` in the column's notation.
    package func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if scientific, fixedDecimals == nil {
            return String(format: "%.\(significantDigits - 1)e", value)
        }
        return Self.fixed(value, decimals: decimals)
    }

    /// The decimals `value` needs once rounded to `limit` decimals: a sum that floating point
    /// left just below its value (`4271.799999999999`, `0.1 + 0.2`) needs as few as the value
    /// it stands for (`4271.8`, `0.3`), not the cap.
    static func decimalsShown(_ value: Double, upTo limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        let text = fixed(value, decimals: limit)
        var shown = limit
        for c in text.reversed() {
            guard c == "0", shown > 0 else { break }
            shown -= 1
        }
        return shown
    }

    /// `value` with exactly `decimals` decimals (`-0` is written `0`).
    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return String(format: "%.\(decimals)f", value) }
        let whole = Int64(scaled)
        let divisor = Int64(scale)
        var text = String(whole / divisor)
        if decimals > 0 {
            let fraction = String(whole % divisor)
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return value < 0 && whole != 0 ? "-" + text : text
    }

    /// The decimals and significant digits of `value`'s shortest exact decimal form (Swift's
    /// `description`: `1450.5` → 1 decimal, 5 digits; `1e-07` → 7 decimals, 1 digit).
    static func exactDigits(_ value: Double) -> (decimals: Int, significant: Int) {
        let text = value.magnitude.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integer = parts.first.map(String.init) ?? ""
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let digits = (integer + fraction).drop { $0 == "0" }
        var trimmed = Substring(digits)
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        return (Swift.max(0, fraction.count - exponent), Swift.max(1, trimmed.count))
    }
}
