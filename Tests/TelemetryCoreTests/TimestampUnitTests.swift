import Testing
@testable import TelemetryCore

/// 2026-12-01T03:00:00Z, the instant `{"ts": 1796094000}` names.
private let dec1: Int64 = 1_796_094_000_000

/// A JSON `ts` decoded through a template with `ts_unit=<unit>`, arriving at `arrivalMs`.
private func jsonEventTime(_ ts: String, unit: String, arrivalMs: Int64 = dec1) -> (ms: Int64?, reason: RejectReason?) {
    let h = DecodeHarness(templates: [DecodeHarness.template("vn/{site}/{device}/telemetry json ts_unit=\(unit)")])
    let o = h.decode("vn/hanoi/d1/telemetry", "{\"ts\": \(ts), \"x\": 1}", arrivalMs: arrivalMs)
    return (o.readings.first?.eventTimeMs, o.reason)
}

/// An Influx line's timestamp decoded through a template with `precision=<unit>`.
private func influxEventTime(_ ts: String, precision: String, arrivalMs: Int64 = dec1) -> (ms: Int64?, reason: RejectReason?) {
    let h = DecodeHarness(templates: [DecodeHarness.template("vn/{site}/influx influx precision=\(precision)")])
    let o = h.decode("vn/hanoi/influx", "env,device=d1 t=1 \(ts)", arrivalMs: arrivalMs)
    return (o.readings.first?.eventTimeMs, o.reason)
}

@Suite struct JSONTimestampUnitTests {
    @Test(arguments: [
        ("s", "1796094000"), ("ms", "1796094000000"), ("us", "1796094000000000"), ("ns", "1796094000000000000"),
    ])
    func eachUnitReadsItsCountOfTheSameInstant(unit: String, ts: String) {
        let r = jsonEventTime(ts, unit: unit)
        #expect(r.reason == nil)
        #expect(r.ms == dec1)
    }

    @Test(arguments: ["1796094000", "1796094000000", "1796094000000000", "1796094000000000000"])
    func autoReadsTheSameInstantInEveryUnit(ts: String) {
        #expect(jsonEventTime(ts, unit: "auto").ms == dec1)
    }

    @Test func epochSecondsAreNoLongerReadAsMillisecondsOf1970() {
        let h = DecodeHarness()  // the default template: ts_unit=auto
        let o = h.decode("vn/hanoi/d1/telemetry", #"{"ts": 1796094000, "x": 1}"#, arrivalMs: dec1)
        #expect(o.readings.first.map { UTCTimestamp.format(milliseconds: $0.eventTimeMs) } == "2026-12-01T03:00:00.000Z")
    }

    /// Each side of each of auto's thresholds, 1e11, 1e14 and 1e17, arriving at the instant
    /// it names (a time in 5138 is not refused as too far ahead of such a clock).
    @Test(arguments: [
        ("99999999999", Int64(99_999_999_999_000)),          // seconds: 5138-11-16T09:46:39Z
        ("99999999999.5", Int64(99_999_999_999_500)),        // the integer part decides
        ("100000000000", Int64(100_000_000_000)),            // milliseconds: 1973-03-03T09:46:40Z
        ("99999999999999", Int64(99_999_999_999_999)),       // milliseconds: 5138
        ("100000000000000", Int64(100_000_000_000)),         // microseconds: 1973
        ("99999999999999999", Int64(99_999_999_999_999)),    // microseconds: 5138
        ("100000000000000000", Int64(100_000_000_000)),      // nanoseconds: 1973
        ("1e17", Int64(100_000_000_000)),                    // an exponent is a magnitude too
    ])
    func autoDecidesByMagnitudeAtEachThreshold(ts: String, expected: Int64) {
        let r = jsonEventTime(ts, unit: "auto", arrivalMs: expected)
        #expect(r.reason == nil)
        #expect(r.ms == expected)
    }

    @Test(arguments: [("s", "1796094000.25"), ("auto", "1796094000.25"), ("s", "1.79609400025e9")])
    func fractionalSecondsKeepTheirMilliseconds(unit: String, ts: String) {
        #expect(jsonEventTime(ts, unit: unit).ms == dec1 + 250)
    }

    /// `1796094000.123` as a Double is 1796094000.12299990…: scaled through one it would be 122.
    @Test func fractionalSecondsAreExactToTheMillisecond() {
        #expect(jsonEventTime("1796094000.123", unit: "s").ms == dec1 + 123)
        #expect(jsonEventTime("1796094000.001", unit: "auto").ms == dec1 + 1)
    }

    @Test(arguments: [
        ("s", "1796094000.1239"), ("ms", "1796094000123.9"), ("us", "1796094000123999.9"),
        ("ns", "1796094000123999999"), ("ns", "1796094000123999999.5"),
    ])
    func aFractionOfAMillisecondGoesToTheEarlierMillisecond(unit: String, ts: String) {
        #expect(jsonEventTime(ts, unit: unit).ms == dec1 + 123)
    }

    /// As a Double, 1796094000123999999 is 1796094000124000000: a millisecond too late.
    @Test func nanosecondsBeyond2To53KeepTheirMillisecond() {
        #expect(1_796_094_000_123_999_999 > Int64(1) << 53)
        #expect(jsonEventTime("1796094000123999999", unit: "ns").ms == dec1 + 123)
        #expect(jsonEventTime("1796094000123999999", unit: "auto").ms == dec1 + 123)
    }

    @Test(arguments: [("auto", "-1"), ("s", "-1796094000"), ("s", "-0.001"), ("ms", "-1"), ("ns", "-1")])
    func aNegativeTsIsBadTimestamp(unit: String, ts: String) {
        #expect(jsonEventTime(ts, unit: unit).reason == .badTimestamp)
    }

    /// Just past 9999-12-31T23:59:59.999Z in each unit, and numbers no unit brings into range.
    @Test(arguments: [
        ("s", "253402300800"), ("ms", "253402300800000"), ("us", "253402300800000000"), ("ns", "253402300800000000000"),
        ("s", "9223372036854775807"), ("auto", "1e30"), ("ns", "1e999"),
    ])
    func aTsPastTheYear9999IsBadTimestamp(unit: String, ts: String) {
        #expect(jsonEventTime(ts, unit: unit, arrivalMs: UTCTimestamp.eventTimeRange.upperBound).reason == .badTimestamp)
    }

    @Test func theLastMillisecondOfTheYear9999IsAcceptedInSeconds() {
        let end = UTCTimestamp.eventTimeRange.upperBound
        #expect(jsonEventTime("253402300799.999", unit: "s", arrivalMs: end).ms == end)
    }

    @Test func rfc3339TextIsReadWhateverTheUnit() {
        #expect(jsonEventTime(#""2026-12-01T03:00:00.250Z""#, unit: "ns").ms == dec1 + 250)
    }
}

@Suite struct InfluxPrecisionTests {
    @Test(arguments: [
        ("s", "1796094000"), ("ms", "1796094000250"), ("us", "1796094000250999"), ("ns", "1796094000250999999"),
    ])
    func eachPrecisionReadsItsCount(precision: String, ts: String) {
        let r = influxEventTime(ts, precision: precision)
        #expect(r.reason == nil)
        #expect(r.ms == (precision == "s" ? dec1 : dec1 + 250))
    }

    @Test func withoutAPrecisionTheTimestampIsNanoseconds() {
        let h = DecodeHarness(templates: [DecodeHarness.template("vn/{site}/influx influx")])
        let o = h.decode("vn/hanoi/influx", "env,device=d1 t=1 1796094000250999999", arrivalMs: dec1)
        #expect(o.readings.first?.eventTimeMs == dec1 + 250)
    }

    @Test(arguments: ["1796094000", "1796094000000", "1796094000000000", "1796094000000000000"])
    func autoPrecisionDecidesByMagnitude(ts: String) {
        #expect(influxEventTime(ts, precision: "auto").ms == dec1)
    }

    /// Line protocol timestamps are integers whatever the precision.
    @Test(arguments: ["1796094000.5", "1.796094e9"])
    func aNonIntegerTimestampIsBadTimestampEvenInSeconds(ts: String) {
        #expect(influxEventTime(ts, precision: "s").reason == .badTimestamp)
    }

    /// A negative timestamp (before 1970) is a time like any other in line protocol.
    @Test func aNegativeTimestampInSecondsIsBeforeTheEpoch() {
        #expect(influxEventTime("-1", precision: "s").ms == -1_000)
        #expect(influxEventTime("-1", precision: "us").ms == -1)
    }

    @Test(arguments: ["253402300800", "9223372036854775807", "-62167219201"])
    func secondsOutsideYears0000To9999AreBadTimestamp(ts: String) {
        #expect(influxEventTime(ts, precision: "s", arrivalMs: UTCTimestamp.eventTimeRange.upperBound).reason == .badTimestamp)
    }
}

/// The rule itself, without a decoder.
@Suite struct TimestampUnitConversionTests {
    @Test func integersScaleExactlyAndFloor() {
        #expect(TimestampUnit.seconds.eventTimeMs(of: 1_796_094_000) == dec1)
        #expect(TimestampUnit.milliseconds.eventTimeMs(of: dec1) == dec1)
        #expect(TimestampUnit.microseconds.eventTimeMs(of: 1_796_094_000_000_999) == dec1)
        #expect(TimestampUnit.nanoseconds.eventTimeMs(of: -1) == -1)
        #expect(TimestampUnit.nanoseconds.eventTimeMs(of: -1_000_000) == -1)
        #expect(TimestampUnit.nanoseconds.eventTimeMs(of: -1_000_001) == -2)
    }

    /// Every Int64 nanosecond count (1677–2262) is an event time; Int64.min too.
    @Test func theWholeInt64RangeOfNanosecondsIsInRange() {
        #expect(TimestampUnit.nanoseconds.eventTimeMs(of: .min) == -9_223_372_036_855)
        #expect(TimestampUnit.nanoseconds.eventTimeMs(of: .max) == 9_223_372_036_854)
    }

    @Test func secondsThatOverflowWhenScaledAreOutOfRange() {
        #expect(TimestampUnit.seconds.eventTimeMs(of: .max) == nil)
        #expect(TimestampUnit.seconds.eventTimeMs(of: .min) == nil)
    }

    @Test func autoResolvesByMagnitudeAndAFixedUnitStaysItself() {
        #expect(TimestampUnit.auto.resolved(forMagnitude: 0) == .seconds)
        #expect(TimestampUnit.auto.resolved(forMagnitude: TimestampUnit.autoMillisecondsFrom - 1) == .seconds)
        #expect(TimestampUnit.auto.resolved(forMagnitude: TimestampUnit.autoMillisecondsFrom) == .milliseconds)
        #expect(TimestampUnit.auto.resolved(forMagnitude: TimestampUnit.autoMicrosecondsFrom) == .microseconds)
        #expect(TimestampUnit.auto.resolved(forMagnitude: TimestampUnit.autoNanosecondsFrom) == .nanoseconds)
        #expect(TimestampUnit.auto.resolved(forMagnitude: .max) == .nanoseconds)
        #expect(TimestampUnit.milliseconds.resolved(forMagnitude: 5) == .milliseconds)
    }

    @Test func autoReadsANegativeCountByItsMagnitude() {
        #expect(TimestampUnit.auto.eventTimeMs(of: -1_796_094_000) == -dec1)
        #expect(TimestampUnit.auto.eventTimeMs(of: -1_796_094_000_000) == -dec1)
    }
}
