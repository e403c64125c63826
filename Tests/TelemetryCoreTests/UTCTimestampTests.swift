import Foundation
import Testing
@testable import TelemetryCore

@Suite struct UTCTimestampTests {
    /// 2100-01-01T00:00:00Z, from Foundation.
    static let year2100Ms: Int64 = {
        var c = DateComponents()
        c.year = 2100; c.month = 1; c.day = 1
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return Int64(cal.date(from: c)!.timeIntervalSince1970) * 1_000
    }()

    static func isoFormatter(fractional: Bool) -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")!
        f.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f
    }

    /// What Foundation says the text of `ms` is: whole seconds from ISO8601DateFormatter, the
    /// milliseconds appended by hand (a Date's double cannot be trusted to round them).
    static func foundationText(_ ms: Int64) -> String {
        let seconds = ms >= 0 ? ms / 1_000 : (ms - 999) / 1_000
        let millis = ms - seconds * 1_000
        let whole = isoFormatter(fractional: false).string(from: Date(timeIntervalSince1970: Double(seconds)))
        let m = String(millis)
        return String(whole.dropLast()) + "." + String(repeating: "0", count: 3 - m.count) + m + "Z"
    }

    static func foundationMs(_ text: String) -> Int64? {
        guard let d = isoFormatter(fractional: false).date(from: text) else { return nil }
        return Int64(d.timeIntervalSince1970.rounded()) * 1_000
    }

    @Test func formatMatchesFoundationForRandomInstants1970To2100() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<400 {
            let ms = rng.int64(0...Self.year2100Ms)
            #expect(UTCTimestamp.format(milliseconds: ms) == Self.foundationText(ms), "ms \(ms)")
        }
    }

    @Test func parseOfFormattedTextGivesBackTheMilliseconds() {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<400 {
            let ms = rng.int64(0...Self.year2100Ms)
            #expect(UTCTimestamp.parse(UTCTimestamp.format(milliseconds: ms)) == ms, "ms \(ms)")
        }
    }

    @Test func parseOfFoundationTextAgreesWithFoundation() {
        var rng = SplitMix64(seed: 3)
        let f = Self.isoFormatter(fractional: true)
        for _ in 0..<400 {
            let ms = rng.int64(0...Self.year2100Ms)
            let text = Self.foundationText(ms)
            let date = f.date(from: text)!
            let foundationMs = Int64((date.timeIntervalSince1970 * 1_000).rounded())
            #expect(UTCTimestamp.parse(text) == foundationMs, "\(text)")
        }
    }

    @Test func appendAddsTheFormattedTextAfterExistingBytes() {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<200 {
            let ms = rng.int64(0...Self.year2100Ms)
            var out: [UInt8] = Array("ts=".utf8)
            UTCTimestamp.append(milliseconds: ms, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "ts=" + Self.foundationText(ms), "ms \(ms)")
        }
    }

    @Test func formatSecondsDropsTheMilliseconds() {
        var rng = SplitMix64(seed: 6)
        let f = Self.isoFormatter(fractional: false)
        for _ in 0..<200 {
            let ms = rng.int64(0...Self.year2100Ms)
            let whole = f.string(from: Date(timeIntervalSince1970: Double(ms / 1_000)))
            #expect(UTCTimestamp.formatSeconds(milliseconds: ms) == whole, "ms \(ms)")
        }
    }

    @Test func formatsInstantsBeforeTheEpoch() {
        #expect(UTCTimestamp.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(UTCTimestamp.parse("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test(arguments: ["+07:00", "-05:30", "+00:00", "-00:00", "+23:59", "-11:45"])
    func offsetIsSubtractedToGetUTC(offset: String) {
        let text = "2026-11-24T13:00:00" + offset
        let expected = Self.foundationMs(text)
        #expect(expected != nil)
        #expect(UTCTimestamp.parse(text) == expected)
    }

    @Test func offsetSevenHoursAheadIsTheSameInstantAsZ() {
        #expect(UTCTimestamp.parse("2026-11-24T13:00:00.250+07:00") == UTCTimestamp.parse("2026-11-24T06:00:00.250Z"))
        #expect(UTCTimestamp.parse("2026-11-24T13:00:00+07:00") == Self.foundationMs("2026-11-24T06:00:00Z"))
    }

    @Test(arguments: 1...9)
    func fractionOfAnyLengthIsTruncatedToMilliseconds(digits: Int) {
        let base = Self.foundationMs("2026-11-24T06:00:00Z")!
        let fraction = String("987654321".prefix(digits))
        let millisText = String((fraction + "00").prefix(3))
        #expect(UTCTimestamp.parse("2026-11-24T06:00:00.\(fraction)Z") == base + Int64(millisText)!)
    }

    @Test func acceptsLowercaseTAndZAndASpaceSeparator() {
        let expected = Self.foundationMs("2026-11-24T06:07:08Z")
        #expect(UTCTimestamp.parse("2026-11-24t06:07:08z") == expected)
        #expect(UTCTimestamp.parse("2026-11-24 06:07:08Z") == expected)
    }

    @Test func acceptsFebruary29InLeapYearsOnly() {
        #expect(UTCTimestamp.parse("2024-02-29T00:00:00Z") == Self.foundationMs("2024-02-29T00:00:00Z"))
        #expect(UTCTimestamp.parse("2000-02-29T00:00:00Z") == Self.foundationMs("2000-02-29T00:00:00Z"))
        #expect(UTCTimestamp.parse("2025-02-29T00:00:00Z") == nil)
        #expect(UTCTimestamp.parse("2100-02-29T00:00:00Z") == nil)
    }

    @Test(arguments: [
        "2026-02-30T00:00:00Z",   // no Feb 30
        "2026-04-31T00:00:00Z",   // April has 30 days
        "2026-13-01T00:00:00Z",   // month 13
        "2026-00-10T00:00:00Z",   // month 0
        "2026-01-00T00:00:00Z",   // day 0
        "2026-11-24T24:00:00Z",   // hour 24
        "2026-11-24T06:60:00Z",   // minute 60
        "2026-11-24T06:00:61Z",   // second 61
        "2026-11-24T06:00:00",    // missing Z
        "2026-11-24T06:00:00.Z",  // empty fraction
        "2026-11-24T06:00:00+7:00",
        "2026-11-24T06:00:00+07",
        "2026-11-24T06:00:00+24:00",
        "2026-11-24T06:00:00ZZ",
        "2026-11-24T06:00:00Z ",
        "2026-11-24X06:00:00Z",
        "2026-11-24",
        "26-11-24T06:00:00Z",
        "",
    ])
    func rejectsInvalidDateTimes(text: String) {
        #expect(UTCTimestamp.parse(text) == nil)
    }

    /// The end of a window that starts on 9999-12-31 is 10000-01-01: written with its five
    /// digits, not wrapped to year 0000, and read back.
    @Test func year10000IsWrittenInFullAndReadBack() {
        let ms: Int64 = 253_402_300_800_000
        #expect(UTCTimestamp.format(milliseconds: ms) == "10000-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.parse("10000-01-01T00:00:00.000Z") == ms)
    }

    @Test func dayAndHourStringsNameTheUTCDayAndHour() {
        let ms = Self.foundationMs("2026-11-24T06:59:59Z")! + 999
        #expect(UTCTimestamp.dayString(milliseconds: ms) == "2026-11-24")
        #expect(UTCTimestamp.hourString(milliseconds: ms) == "06")
        #expect(UTCTimestamp.hourString(milliseconds: ms + 1) == "07")
    }
}
