import Foundation

/// Short human-readable numbers for tables, chart labels and status: about 4 significant
/// digits, no trailing zeros (`35.6`, `230`, `0.001234`, `1.235e+09`); values from 10 000 up
/// to a million are shown as whole numbers (`101325`) since that is easier to read than an
/// exponent. Non-finite values are shown as `-`.
///
/// Threading: stateless; safe from any thread.
package enum CompactNumber {
    /// `value` formatted compactly.
    package static func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 10_000, magnitude < 1_000_000 {
            return String(Int64(value.rounded()))
        }
        if magnitude >= 0.001, magnitude < 10_000 { return fixed(value) }
        var text = String(format: "%.4g", value)
        if let e = text.firstIndex(where: { $0 == "e" }) {
            var mantissa = String(text[..<e])
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            text = mantissa + text[e...]
        } else if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// 4 significant digits without exponent for 0.001 ≤ |value| < 10 000, trailing zeros
    /// trimmed; avoids `String(format:)`, which dominates the cost of large tables.
    static func fixed(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : magnitude >= 1 ? 3
            : magnitude >= 0.1 ? 4 : magnitude >= 0.01 ? 5 : 6
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((magnitude * Double(scale)).rounded())
        var integer = String(scaled / scale)
        var fraction = ""
        if decimals > 0 {
            let f = String(scaled % scale)
            fraction = String(repeating: "0", count: decimals - f.count) + f
            while fraction.hasSuffix("0") { fraction.removeLast() }
        }
        if scaled == 0 { return "0" }
        if value < 0 { integer = "-" + integer }
        return fraction.isEmpty ? integer : integer + "." + fraction
    }

    /// An integer with thousands separators for readability in status output (`65,536`).
    package static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return value < 0 ? "-" + out : out
    }
}
