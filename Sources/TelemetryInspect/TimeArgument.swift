import TelemetryCore

/// Parsing of `--from`/`--to` values into epoch milliseconds UTC.
///
/// Accepted forms:
/// - RFC 3339 date-time: `2026-11-24T06:00:00Z`, `2026-11-24T13:00:00.000+07:00`;
/// - a date `2026-11-24`, meaning its UTC midnight;
/// - `now`;
/// - a time before now: `-30m`, `-1h`, `-2d`, `-1h30m`, also written `now-1h`
///   (units `s`, `m`, `h`, `d`, `w`).
///
/// Threading: stateless; safe from any thread. "Now" is passed in so results are reproducible.
package enum TimeArgument {
    /// What ``parse(_:now:option:)`` accepts, for error messages and `--help`.
    package static let expectedFormat =
        "an RFC 3339 time (2026-11-24T06:00:00Z), a UTC date (2026-11-24), 'now', "
        + "or a time before now such as -30m, -1h, -2d, -1h30m"

    /// What ``parseDuration(_:option:)`` accepts, for error messages and `--help`.
    package static let expectedDuration =
        "a duration such as 90s, 10m, 1h30m, 2d (units s, m, h, d, w)"

    /// Parses a duration such as `10m` or `1h30m` into milliseconds (≥ 0).
    /// - Parameter option: the option name used in the error, e.g. `"--quiet-for"`.
    package static func parseDuration(_ text: String, option: String) throws(InspectError) -> Int64 {
        guard let ms = duration(Substring(text.trimmingWhitespace)) else {
            throw .invalidDuration(option: option, text: text)
        }
        return ms
    }

    /// Parses `text` relative to `now` (epoch ms).
    /// - Parameter option: the option name used in the error, e.g. `"--from"`.
    package static func parse(_ text: String, now: Int64, option: String = "time") throws(InspectError) -> Int64 {
        let trimmed = text.trimmingWhitespace
        if trimmed == "now" { return now }
        if trimmed.hasPrefix("now-") {
            if let d = duration(trimmed.dropFirst(4)) { return now - d }
        } else if trimmed.hasPrefix("-") {
            if let d = duration(trimmed.dropFirst()) { return now - d }
        } else if trimmed.utf8.count == 10, let ms = UTCTimestamp.parse(trimmed + "T00:00:00Z") {
            return ms
        } else if let ms = UTCTimestamp.parse(trimmed) {
            return ms
        }
        throw .invalidTime(option: option, text: text)
    }

    /// A duration such as `30m`, `1h30m`, `2d` in milliseconds; `nil` when not one.
    static func duration(_ text: Substring) -> Int64? {
        guard !text.isEmpty else { return nil }
        var total: Int64 = 0
        var number: Int64?
        for ch in text {
            if let digit = ch.wholeNumberValue, ch.isASCII {
                let (times, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return nil }
                number = plus
                continue
            }
            let unit: Int64
            switch ch {
            case "s": unit = 1_000
            case "m": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            case "w": unit = 604_800_000
            default: return nil
            }
            guard let n = number else { return nil }
            let (part, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
            number = nil
        }
        return number == nil ? total : nil
    }
}

extension String {
    /// The string without leading and trailing spaces/tabs/newlines (Foundation-free).
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
