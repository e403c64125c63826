/// Parses and formats the simulator's command-line durations, in milliseconds.
///
/// Accepted: a number followed by a unit — `ms`, `s`, `m` (minutes), `h`, `d` — such as
/// `500ms`, `90s`, `10m`, `1h`, `1d`, `1.5h`; several such parts in a row (`1h30m`); or a
/// plain number of seconds (`90`, `0.25`). The result must be a whole number of
/// milliseconds and at most `maximumMilliseconds`. No signs, spaces or exponents.
///
/// Threading: stateless; safe from any thread.
package enum DurationParser {
    /// Why a text is not a duration. `description` says what was expected.
    package struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text that was refused.
        package let text: String
        /// What is wrong with it.
        package let problem: String

        package var description: String {
            "invalid duration '\(text)': \(problem); expected e.g. 500ms, 90s, 10m, 1h, 1d or plain seconds"
        }
    }

    /// The largest accepted duration: 100 years of 365 days.
    package static let maximumMilliseconds: Int64 = 100 * 365 * 86_400_000

    /// The number of milliseconds `text` denotes.
    package static func milliseconds(_ text: String) throws(ParseError) -> Int64 {
        func fail(_ problem: String) -> ParseError { ParseError(text: text, problem: problem) }
        let b = Array(text.utf8)
        guard !b.isEmpty else { throw fail("it is empty") }
        var i = 0
        var total: Int64 = 0
        var parts = 0
        while i < b.count {
            // number: digits [. digits]
            var whole: Int64 = 0
            var wholeDigits = 0
            while i < b.count, b[i] &- 48 <= 9 {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(b[i] - 48))
                guard !o1, !o2 else { throw fail("it is too large") }
                whole = s
                wholeDigits += 1
                i += 1
            }
            var fraction: [UInt8] = []
            if i < b.count, b[i] == 0x2E {
                i += 1
                while i < b.count, b[i] &- 48 <= 9 {
                    fraction.append(b[i] - 48)
                    i += 1
                }
                guard !fraction.isEmpty else { throw fail("a '.' must be followed by digits") }
            }
            guard wholeDigits > 0 || !fraction.isEmpty else {
                if i < b.count, b[i] == 0x2D || b[i] == 0x2B {
                    throw fail("it must not have a sign")
                }
                throw fail("a number is missing")
            }
            // unit
            let unitMs: Int64
            if i == b.count {
                guard parts == 0 else { throw fail("the last number has no unit") }
                unitMs = 1_000
            } else {
                switch b[i] {
                case 0x6D where i + 1 < b.count && b[i + 1] == 0x73: unitMs = 1; i += 1  // ms
                case 0x73: unitMs = 1_000  // s
                case 0x6D: unitMs = 60_000  // m
                case 0x68: unitMs = 3_600_000  // h
                case 0x64: unitMs = 86_400_000  // d
                default:
                    throw fail("unknown unit at '\(String(decoding: b[i...], as: UTF8.self))'")
                }
                i += 1
            }
            let (wholeMs, o1) = whole.multipliedReportingOverflow(by: unitMs)
            guard !o1 else { throw fail("it is too large") }
            var partMs = wholeMs
            if !fraction.isEmpty {
                guard fraction.count <= 9 else { throw fail("it is finer than a millisecond") }
                var numerator: Int64 = 0
                var denominator: Int64 = 1
                for d in fraction {
                    numerator = numerator * 10 + Int64(d)
                    denominator *= 10
                }
                let (scaled, o2) = numerator.multipliedReportingOverflow(by: unitMs)
                guard !o2 else { throw fail("it is too large") }
                guard scaled % denominator == 0 else { throw fail("it is finer than a millisecond") }
                partMs += scaled / denominator
            }
            let (sum, o3) = total.addingReportingOverflow(partMs)
            guard !o3, sum <= maximumMilliseconds else { throw fail("it is longer than 100 years") }
            total = sum
            parts += 1
        }
        return total
    }

    /// Formats milliseconds compactly, in the syntax `milliseconds(_:)` accepts:
    /// `3600000` → `1h`, `5400000` → `1h30m`, `500` → `500ms`, `0` → `0s`.
    package static func format(milliseconds ms: Int64) -> String {
        guard ms > 0 else { return ms == 0 ? "0s" : "-" + format(milliseconds: -ms) }
        var rest = ms
        var out = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
            if rest >= size {
                out += "\(rest / size)\(unit)"
                rest %= size
            }
        }
        return out
    }
}
