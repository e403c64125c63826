/// Conversion between epoch milliseconds and RFC 3339 UTC text, without Foundation.
///
/// Formatting always produces `YYYY-MM-DDTHH:MM:SS.mmmZ` (the form rollup files use).
/// Parsing accepts RFC 3339 date-times with `T`, `t` or a space, optional fraction of any
/// length (truncated to milliseconds), and `Z` or a `±HH:MM` offset.
///
/// Event times are held to ``eventTimeRange``, years 0000–9999: what RFC 3339 text and a
/// rollup file's `<YYYY-MM-DD>/<HH>` path can name. The one time beyond it that can still be
/// written is the end of a window that starts on 9999-12-31, in year 10000; so the year is
/// written with five digits when it has them and read back with four or five.
///
/// Threading: stateless; safe from any thread. Parsing works on raw UTF-8 bytes so the hot
/// decode path can call it without creating a `String`.
public enum UTCTimestamp {
    /// The event times a decoder accepts, in epoch milliseconds: from 0000-01-01T00:00:00.000Z
    /// to 9999-12-31T23:59:59.999Z. A `ts` (or capture time) outside is `bad_timestamp`.
    public static let eventTimeRange: ClosedRange<Int64> = -62_167_219_200_000...253_402_300_799_999

    /// Formats epoch milliseconds as `2026-11-24T06:00:00.000Z` (years 0000–99999).
    public static func format(milliseconds ms: Int64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(24)
        append(milliseconds: ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` for `ms` to `out`, allocating nothing beyond growth.
    public static func append(milliseconds ms: Int64, to out: inout [UInt8]) {
        let c = civil(ms)
        func put(_ v: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var x = v
            while divisor > 0 {
                out.append(UInt8(48 + (x / divisor) % 10))
                x %= divisor
                divisor /= 10
            }
        }
        put(c.year, c.year > 9_999 ? 5 : 4); out.append(45); put(c.month, 2); out.append(45); put(c.day, 2)
        out.append(84); put(c.hour, 2); out.append(58); put(c.minute, 2); out.append(58)
        put(c.second, 2); out.append(46); put(c.millisecond, 3); out.append(90)
    }

    /// Whole-second form, `2026-11-24T06:00:00Z` (milliseconds dropped), for messages to people.
    public static func formatSeconds(milliseconds ms: Int64) -> String {
        String(format(milliseconds: ms).dropLast(5)) + "Z"
    }

    /// `YYYY-MM-DD` of the UTC day containing `ms`.
    public static func dayString(milliseconds ms: Int64) -> String {
        String(format(milliseconds: ms).prefix(10))
    }

    /// `HH` of the UTC hour containing `ms`.
    public static func hourString(milliseconds ms: Int64) -> String {
        let c = civil(ms)
        return c.hour < 10 ? "0\(c.hour)" : "\(c.hour)"
    }

    /// Parses RFC 3339 text; `nil` when it is not a valid date-time.
    public static func parse(_ text: some StringProtocol) -> Int64? {
        var s = String(text)
        return s.withUTF8 { parse(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Parses RFC 3339 from raw bytes (no allocation); `nil` when not a valid date-time.
    public static func parse(bytes b: UnsafeRawBufferPointer) -> Int64? {
        if let ms = parseCanonical(b) { return ms }
        return parseGeneral(b)
    }

    /// The fast path of ``parse(bytes:)`` for the form this project writes and most devices
    /// send, exactly `YYYY-MM-DDTHH:MM:SS.mmmZ`: fixed positions, no loops. Nil for anything
    /// else, including that form with an invalid field; the general path then decides (and
    /// refuses it), so `parse` answers the same either way.
    @inline(__always)
    static func parseCanonical(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count == 24, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 46,
              b[23] == 90 else { return nil }
        var bad: UInt8 = 0
        @inline(__always) func d(_ k: Int) -> Int64 {
            let v = b[k] &- 48
            bad |= v > 9 ? 1 : 0
            return Int64(v)
        }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
        let month = d(5) * 10 + d(6)
        let day = d(8) * 10 + d(9)
        let hour = d(11) * 10 + d(12)
        let minute = d(14) * 10 + d(15)
        let second = d(17) * 10 + d(18)
        let millis = d(20) * 100 + d(21) * 10 + d(22)
        guard bad == 0, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second <= 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return (days * 86_400 + hour * 3_600 + minute * 60 + min(second, 59)) * 1_000 + millis
    }

    /// ``parse(bytes:)`` for every form (the fast path's reference).
    static func parseGeneral(_ b: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        let n = b.count
        func num(_ width: Int) -> Int64? {
            guard i + width <= n else { return nil }
            var v: Int64 = 0
            for k in 0..<width {
                let d = b[i + k] &- 48
                guard d <= 9 else { return nil }
                v = v * 10 + Int64(d)
            }
            i += width
            return v
        }
        func expect(_ ch: UInt8) -> Bool {
            guard i < n, b[i] == ch else { return false }
            i += 1
            return true
        }
        let yearDigits = n > 4 && b[4] &- 48 <= 9 ? 5 : 4
        guard let year = num(yearDigits), expect(45), let month = num(2), expect(45), let day = num(2)
        else { return nil }
        guard i < n, b[i] == 84 || b[i] == 116 || b[i] == 32 else { return nil }
        i += 1
        guard let hour = num(2), expect(58), let minute = num(2), expect(58), let second = num(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second <= 60 else { return nil }
        var millis: Int64 = 0
        if i < n, b[i] == 46 {
            i += 1
            var digits = 0
            while i < n, b[i] &- 48 <= 9 {
                if digits < 3 { millis = millis * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            while digits < 3 { millis *= 10; digits += 1 }
        }
        guard i < n else { return nil }
        var offsetMinutes: Int64 = 0
        switch b[i] {
        case 90, 122: i += 1
        case 43, 45:
            let sign: Int64 = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = num(2), expect(58), let om = num(2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
        default: return nil
        }
        guard i == n else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86_400 + hour * 3_600 + minute * 60 + min(second, 59) - offsetMinutes * 60
        return secs * 1_000 + millis
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    struct Civil { var year, month, day, hour, minute, second, millisecond: Int64 }

    static func civil(_ ms: Int64) -> Civil {
        var days = ms / 86_400_000
        var rem = ms % 86_400_000
        if rem < 0 { rem += 86_400_000; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(
            year: year, month: month, day: day, hour: rem / 3_600_000,
            minute: rem / 60_000 % 60, second: rem / 1_000 % 60, millisecond: rem % 1_000)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
