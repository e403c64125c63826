import Testing
@testable import TelemetryCore

@Suite struct MessageDecoderJSONTests {
    let h = DecodeHarness()
    static let telemetry = "vn/hanoi/aq-001/telemetry"

    @Test func flatObjectGivesOneReadingPerNumericField() {
        let o = h.decode(Self.telemetry, #"{"pm25": 35.5, "temp": -2, "hum": 6.1e1}"#)
        #expect(o.reason == nil)
        #expect(h.metrics(o) == ["pm25": 35.5, "temp": -2, "hum": 61])
        for r in o.readings {
            #expect(h.key(r).site == "hanoi")
            #expect(h.key(r).device == "aq-001")
        }
    }

    @Test func readingsFollowPayloadOrderAndOnlyTheFirstStartsTheMessage() {
        let o = h.decode(Self.telemetry, #"{"b": 2, "a": 1, "c": 3}"#)
        #expect(o.readings.map { h.key($0).metric } == ["b", "a", "c"])
        #expect(o.readings.map(\.isFirstInMessage) == [true, false, false])
    }

    @Test func nestedKeysAreJoinedWithDots() {
        let o = h.decode(Self.telemetry, #"{"power": {"voltage": 230, "current": {"l1": 1.5}}, "energy": 7}"#)
        #expect(o.reason == nil)
        #expect(h.metrics(o) == ["power.voltage": 230, "power.current.l1": 1.5, "energy": 7])
    }

    @Test func withoutTsTheEventTimeIsTheArrivalTime() {
        let o = h.decode(Self.telemetry, #"{"x": 1}"#, arrivalMs: 1_795_500_123_456)
        #expect(o.readings.map(\.eventTimeMs) == [1_795_500_123_456])
    }

    @Test func numericTsIsEpochMillisecondsForEveryReading() {
        let o = h.decode(Self.telemetry, #"{"ts": 1795499999250, "x": 1, "y": 2}"#)
        #expect(o.reason == nil)
        #expect(o.readings.map(\.eventTimeMs) == [1_795_499_999_250, 1_795_499_999_250])
        #expect(h.metrics(o).keys.sorted() == ["x", "y"])
    }

    @Test func fractionalNumericTsIsTruncatedToTheMillisecond() {
        let o = h.decode(Self.telemetry, #"{"ts": 1795499999250.9, "x": 1}"#)
        #expect(o.readings.first?.eventTimeMs == 1_795_499_999_250)
    }

    @Test func rfc3339TsIsParsed() {
        let o = h.decode(Self.telemetry, #"{"x": 1, "ts": "2026-11-24T12:59:59.500+07:00"}"#)
        #expect(o.reason == nil)
        #expect(o.readings.first?.eventTimeMs == UTCTimestamp.parse("2026-11-24T05:59:59.500Z"))
        #expect(o.readings.first?.eventTimeMs == DecodeHarness.arrival - 500)
    }

    @Test func seqIsTakenFromTheTopLevelAndSetOnEveryReading() {
        let o = h.decode(Self.telemetry, #"{"seq": 17, "x": 1, "y": 2}"#)
        #expect(o.reason == nil)
        #expect(o.readings.map(\.seq) == [17, 17])
    }

    @Test func withoutSeqReadingsCarryNoSeq() {
        let o = h.decode(Self.telemetry, #"{"x": 1}"#)
        #expect(o.readings.map(\.seq) == [Reading.noSeq])
    }

    @Test func nestedTsAndSeqAreOrdinaryMetrics() {
        let o = h.decode(Self.telemetry, #"{"gps": {"ts": 5, "seq": 6}}"#)
        #expect(o.reason == nil)
        #expect(h.metrics(o) == ["gps.ts": 5, "gps.seq": 6])
        #expect(o.readings.first?.seq == Reading.noSeq)
        #expect(o.readings.first?.eventTimeMs == DecodeHarness.arrival)
    }

    @Test func stringsBooleansNullAndArraysAreSkipped() {
        let payload = #"{"name": "s\"1\\", "ok": true, "bad": false, "n": null, "arr": [1, {"a": [2, "x"]}, [], null], "v": 3}"#
        let o = h.decode(Self.telemetry, payload)
        #expect(o.reason == nil)
        #expect(h.metrics(o) == ["v": 3])
    }

    @Test func explicitNullTsAndSeqMeanAbsent() {
        let o = h.decode(Self.telemetry, #"{"ts": null, "seq": null, "v": 3}"#)
        #expect(o.reason == nil)
        #expect(o.readings.first?.eventTimeMs == DecodeHarness.arrival)
        #expect(o.readings.first?.seq == Reading.noSeq)
    }

    @Test func escapedKeysAreUnescaped() {
        let o = h.decode(Self.telemetry, #"{"p\u006d25": 12, "t\u00e9mp": 1, "a\/b\"": 2}"#)
        // `a/b"` holds a slash: not a valid tag, so the whole message is refused.
        #expect(o.reason == .badTag)
        let ok = h.decode(Self.telemetry, #"{"p\u006d25": 12, "t\u00e9mp": 1, "\ud83d\ude00": 2}"#)
        #expect(ok.reason == nil)
        #expect(h.metrics(ok) == ["pm25": 12, "témp": 1, "😀": 2])
    }

    @Test func whiteSpaceAroundTokensIsAllowed() {
        let o = h.decode(Self.telemetry, " \n\t{ \"a\" :\r\n 1 , \"b\" : { } } \n")
        #expect(o.reason == nil)
        #expect(h.metrics(o) == ["a": 1])
    }

    @Test func nestingUpToTheLimitIsAcceptedAndDeeperIsBadJSON() {
        func nested(_ depth: Int) -> String {
            String(repeating: #"{"k":"#, count: depth - 1) + #"{"v":1}"# + String(repeating: "}", count: depth - 1)
        }
        let ok = h.decode(Self.telemetry, nested(JSONPayloadScanner.maxDepth))
        #expect(ok.reason == nil)
        #expect(ok.readings.count == 1)
        #expect(h.decode(Self.telemetry, nested(JSONPayloadScanner.maxDepth + 1)).reason == .badJSON)
        let deepArray = #"{"a":"# + String(repeating: "[", count: 1_000) + String(repeating: "]", count: 1_000) + #", "v": 1}"#
        #expect(h.decode(Self.telemetry, deepArray).reason == .badJSON)
    }

    @Test func decodingTheSameMessageTwiceGivesTheSameSeriesIds() {
        let payload = #"{"pm25": 1, "pm10": 2, "power": {"voltage": 3}}"#
        let a = h.decode(Self.telemetry, payload).readings
        let b = h.decode(Self.telemetry, payload).readings
        #expect(a.count == 3)
        #expect(a.map(\.series) == b.map(\.series))
        #expect(a.map(\.device) == b.map(\.device))
        #expect(Set(a.map(\.series)).count == 3)
    }

    @Test func aSecondDecoderOnTheSameRegistryGivesTheSameIds() {
        let other = DecodeHarness(registry: h.registry)
        let payload = #"{"pm25": 1, "pm10": 2}"#
        let a = h.decode(Self.telemetry, payload).readings
        let b = other.decode(Self.telemetry, payload).readings
        #expect(a.map(\.series) == b.map(\.series))
        #expect(a.map(\.device) == b.map(\.device))
    }

    @Test func differentDevicesGetDifferentDeviceIds() {
        let a = h.decode("vn/hanoi/d1/telemetry", #"{"x": 1, "y": 1}"#).readings
        let b = h.decode("vn/hanoi/d2/telemetry", #"{"x": 1}"#).readings
        let c = h.decode("vn/hcmc/d1/telemetry", #"{"x": 1}"#).readings
        #expect(a[0].device == a[1].device)
        #expect(Set([a[0].device, b[0].device, c[0].device]).count == 3)
        #expect(Set([a[0].series, a[1].series, b[0].series, c[0].series]).count == 4)
    }

    @Test func idsStayStableAcrossCacheGrowth() {
        var first: [String: SeriesID] = [:]
        for i in 0..<5_000 {
            let o = h.decode("vn/s/d\(i % 50)/telemetry", "{\"m\(i)\": 1}")
            first["\(i)"] = o.readings[0].series
        }
        for i in stride(from: 0, to: 5_000, by: 7) {
            let o = h.decode("vn/s/d\(i % 50)/telemetry", "{\"m\(i)\": 1}")
            #expect(o.readings[0].series == first["\(i)"])
            #expect(h.key(o.readings[0]) == SeriesKey(site: "s", device: "d\(i % 50)", metric: "m\(i)"))
        }
        #expect(h.registry.seriesCount == 5_000)
        #expect(h.registry.deviceCount == 50)
    }

    @Test func aMetricGivenMoreThanOnceCountsOnceWithItsLastValue() {
        let o = h.decode(Self.telemetry, #"{"x": 1, "x": 2, "x": 3}"#)
        #expect(o.reason == nil)
        #expect(o.readings.count == 1)
        #expect(h.metrics(o) == ["x": 3])
    }

    @Test func aNestedKeyAndADottedKeyAreTheSameMetricAndTheLastWins() {
        let o = h.decode(Self.telemetry, #"{"power": {"v": 1}, "power.v": 2}"#)
        #expect(o.reason == nil)
        #expect(o.readings.count == 1)
        #expect(h.metrics(o) == ["power.v": 2])
    }

    @Test func distinctMetricsAreAllKeptInPayloadOrder() {
        let o = h.decode(Self.telemetry, #"{"a": 1, "b": {"a": 2}, "a.b": 3, "ab": 4}"#)
        #expect(o.readings.map { h.key($0).metric } == ["a", "b.a", "a.b", "ab"])
        #expect(o.readings.map(\.value) == [1, 2, 3, 4])
    }

    /// Enough metrics that the last-wins rule cannot be a small quadratic scan only.
    @Test func inAMessageOfManyMetricsEachDuplicateKeepsItsLastValue() {
        let keys = (0..<600).map { "m\($0)" }
        let fields = keys.map { "\"\($0)\": 1" } + keys.reversed().map { "\"\($0)\": 2" }
        let o = h.decode(Self.telemetry, "{" + fields.joined(separator: ", ") + "}")
        #expect(o.reason == nil)
        #expect(o.readings.count == 600)
        #expect(o.readings.allSatisfy { $0.value == 2 })
        #expect(Set(o.readings.map { h.key($0).metric }) == Set(keys))
        #expect(o.readings.map(\.isFirstInMessage).filter { $0 }.count == 1)
    }

    /// Years 0000–9999 are what RFC 3339 text (and a rollup file's path) can hold; an offset
    /// must not carry a time outside them. (Epoch ms that far out are µs to `ts_unit=auto`,
    /// so the number is given to a `ts_unit=ms` template.)
    @Test(arguments: [
        #"{"x": 1, "ts": "9999-12-31T23:59:59-00:01"}"#, #"{"x": 1, "ts": "10000-01-01T00:00:00Z"}"#,
        #"{"x": 1, "ts": "0000-01-01T00:00:00+00:01"}"#, #"{"x": 1, "ts": 253402300800000}"#,
    ])
    func tsOutsideYears0000To9999IsBadTimestamp(payload: String) {
        let h = DecodeHarness(templates: [DecodeHarness.template("vn/{site}/{device}/telemetry json ts_unit=ms")])
        let end9999: Int64 = 253_402_300_799_999
        #expect(h.decode(Self.telemetry, payload, arrivalMs: end9999).reason == .badTimestamp)
    }

    @Test func theFirstAndLastMillisecondsOfYears0000To9999AreAccepted() {
        let start0000: Int64 = -62_167_219_200_000, end9999: Int64 = 253_402_300_799_999
        let text = h.decode(Self.telemetry, #"{"x": 1, "ts": "9999-12-31T23:59:59.999Z"}"#, arrivalMs: end9999)
        #expect(text.reason == nil)
        #expect(text.readings.first?.eventTimeMs == end9999)
        let ms = DecodeHarness(templates: [DecodeHarness.template("vn/{site}/{device}/telemetry json ts_unit=ms")])
        let number = ms.decode(Self.telemetry, #"{"x": 1, "ts": 253402300799999}"#, arrivalMs: end9999)
        #expect(number.readings.first?.eventTimeMs == end9999)
        let first = h.decode(Self.telemetry, #"{"x": 1, "ts": "0000-01-01T00:00:00Z"}"#, arrivalMs: start0000)
        #expect(first.readings.first?.eventTimeMs == start0000)
    }
}

@Suite struct MessageDecoderRejectTests {
    let h = DecodeHarness()
    static let telemetry = "vn/hanoi/aq-001/telemetry"

    func reason(_ topic: String, _ payload: String, arrivalMs: Int64 = DecodeHarness.arrival) -> RejectReason? {
        let o = h.decode(topic, payload, arrivalMs: arrivalMs)
        if o.reason != nil { #expect(o.readings.isEmpty, "a rejected message left readings") }
        return o.reason
    }

    @Test(arguments: ["vn/hanoi/telemetry", "eu/a/b/telemetry", "vn/a/b/c/telemetry", "", "vn", "vn/a/b/telemetry/"])
    func topicMatchingNoTemplateIsNoTemplate(topic: String) {
        #expect(reason(topic, #"{"x": 1}"#) == .noTemplate)
    }

    @Test(arguments: [
        "vn//d/telemetry",                  // empty site
        "vn/s//telemetry",                  // empty device
        "vn/../d/telemetry",                // ..
        "vn/a..b/d/telemetry",
        "vn/s/d\u{1}/telemetry",            // control character
        "vn/s\u{7F}/d/telemetry",           // DEL
        "vn/s\u{0}/d/telemetry",            // NUL
        "vn/s/" + String(repeating: "x", count: 129) + "/telemetry",
    ])
    func badTopicTagIsBadTag(topic: String) {
        #expect(reason(topic, #"{"x": 1}"#) == .badTag)
    }

    @Test func tagOf128BytesIsAccepted() {
        let tag = String(repeating: "é", count: 64)  // 128 bytes of UTF-8
        #expect(reason("vn/\(tag)/d/telemetry", #"{"x": 1}"#) == nil)
    }

    @Test(arguments: [
        #"{"a..b": 1}"#, #"{"a": {".b": 1}}"#, #"{"": 1}"#, #"{"a\u0000": 1}"#, #"{"a\nb": 1}"#,
        #"{"a/b": 1}"#,
    ])
    func badMetricNameIsBadTag(payload: String) {
        #expect(reason(Self.telemetry, payload) == .badTag)
    }

    @Test func metricNameLongerThan128BytesIsBadTag() {
        #expect(reason(Self.telemetry, "{\"\(String(repeating: "m", count: 129))\": 1}") == .badTag)
        #expect(reason(Self.telemetry, "{\"\(String(repeating: "m", count: 128))\": 1}") == nil)
    }

    @Test func payloadThatIsNotUTF8IsNotUTF8() {
        let o = h.decode(topic: Array(Self.telemetry.utf8), payload: Array(#"{"x": 1, "s": ""#.utf8) + [0xFF] + Array(#""}"#.utf8))
        #expect(o.reason == .notUTF8)
        #expect(o.readings.isEmpty)
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            let payload = Array(#"{"x": 1, "s": ""#.utf8) + bad + Array(#""}"#.utf8)
            #expect(h.decode(topic: Array(Self.telemetry.utf8), payload: payload).reason == .notUTF8, "\(bad)")
        }
    }

    @Test func topicThatIsNotUTF8IsNotUTF8() {
        let topic = Array("vn/s/".utf8) + [0xFE] + Array("/telemetry".utf8)
        #expect(h.decode(topic: topic, payload: Array(#"{"x": 1}"#.utf8)).reason == .notUTF8)
    }

    @Test(arguments: [
        #"{"x": 1"#, #"{"x": "#, #"{"x""#, "{", "", "   ", #"{"x": 1} x"#, #"{"x": 1}{}"#, "[1, 2]", #"[{"x": 1}]"#,
        "42", #""x""#, "null", #"{"x": 1,}"#, #"{x: 1}"#, #"{"x" 1}"#, #"{"x": tru}"#, #"{"x": nul}"#,
        #"{"x": +1}"#, #"{"x": 'a'}"#, #"{"x": [1, 2,]}"#, #"{"x": [1 2]}"#, #"{"x": "a"#,
        "{\"x\": \"a\u{1}\"}", #"{"x": "\q"}"#, #"{"x": "\u12"}"#, #"{"p\ud83d": 1}"#, #"{"x": 1 "y": 2}"#,
    ])
    func malformedJSONIsBadJSON(payload: String) {
        #expect(reason(Self.telemetry, payload) == .badJSON)
    }

    @Test(arguments: [#"{"x": 01}"#, #"{"x": 1.}"#, #"{"x": -}"#, #"{"x": 1e}"#, #"{"x": -.5}"#, #"{"x": 1, "y": 1.e3}"#])
    func malformedNumberIsBadNumber(payload: String) {
        #expect(reason(Self.telemetry, payload) == .badNumber)
    }

    @Test func numberBeyondADoubleIsNonFinite() {
        #expect(reason(Self.telemetry, #"{"x": 1e999}"#) == .nonFinite)
        #expect(reason(Self.telemetry, #"{"a": {"x": -1e400}}"#) == .nonFinite)
    }

    @Test(arguments: ["{}", #"{"ts": 1795500000000, "name": "x"}"#, #"{"seq": 1}"#, #"{"a": {}, "b": [1, 2]}"#])
    func messageWithoutNumericFieldsIsNoMetrics(payload: String) {
        #expect(reason(Self.telemetry, payload) == .noMetrics)
    }

    @Test func payloadOverTheLimitIsTooLarge() {
        let h = DecodeHarness(limits: DecodeLimits(maxPayloadBytes: 16))
        let atLimit = #"{"x": 123456789}"#    // 16 bytes
        #expect(atLimit.utf8.count == 16)
        #expect(h.decode(Self.telemetry, atLimit).reason == nil)
        let o = h.decode(Self.telemetry, #"{"x": 1234567890}"#)
        #expect(o.reason == .tooLarge)
        #expect(o.readings.isEmpty)
    }

    @Test func eventTimeMoreThanFiveMinutesAheadIsTooFarFuture() {
        let arrival = DecodeHarness.arrival
        #expect(reason(Self.telemetry, "{\"ts\": \(arrival + 300_000), \"x\": 1}") == nil)
        #expect(reason(Self.telemetry, "{\"ts\": \(arrival + 300_001), \"x\": 1}") == .tooFarFuture)
        let text = UTCTimestamp.format(milliseconds: arrival + 3_600_000)
        #expect(reason(Self.telemetry, "{\"x\": 1, \"ts\": \"\(text)\"}") == .tooFarFuture)
    }

    /// (`1e20` is ns to `ts_unit=auto`, 5138-11-16; `1e30` ns is past the year 9999.)
    @Test(arguments: [
        #"{"ts": "yesterday", "x": 1}"#, #"{"ts": "2026-02-30T00:00:00Z", "x": 1}"#, #"{"ts": -1, "x": 1}"#,
        #"{"ts": 1e999, "x": 1}"#, #"{"ts": 1e30, "x": 1}"#, #"{"ts": "", "x": 1}"#,
        #"{"x": 1, "ts": "2026-11-24T06:00:00"}"#,
    ])
    func unusableTsIsBadTimestamp(payload: String) {
        #expect(reason(Self.telemetry, payload) == .badTimestamp)
    }

    @Test(arguments: [#"{"seq": -1, "x": 1}"#, #"{"seq": 1.5, "x": 1}"#, #"{"seq": 1e3, "x": 1}"#, #"{"seq": 1e999, "x": 1}"#,
                      #"{"x": 1, "seq": 99999999999999999999}"#])
    func unusableNumericSeqIsBadSeq(payload: String) {
        #expect(reason(Self.telemetry, payload) == .badSeq)
    }

    /// `seq` is "present but not a non-negative integer" (RejectReason.badSeq) when it is a
    /// string or a boolean; it must not be silently ignored.
    @Test(arguments: [#"{"seq": "7", "x": 1}"#, #"{"seq": true, "x": 1}"#, #"{"seq": [7], "x": 1}"#, #"{"seq": {"n": 7}, "x": 1}"#])
    func nonNumericSeqIsBadSeq(payload: String) {
        #expect(reason(Self.telemetry, payload) == .badSeq)
    }

    /// Likewise `ts` that is neither a number nor RFC 3339 text.
    @Test(arguments: [#"{"ts": true, "x": 1}"#, #"{"ts": [1795500000000], "x": 1}"#, #"{"ts": {"ms": 1}, "x": 1}"#])
    func nonNumericNonStringTsIsBadTimestamp(payload: String) {
        #expect(reason(Self.telemetry, payload) == .badTimestamp)
    }

    @Test func failureAfterSomeMetricsLeavesNoReadings() {
        #expect(h.decode(Self.telemetry, #"{"x": 1}"#).readings.count == 1)
        for payload in [#"{"a": 1, "b": 2, "c": 01}"#, #"{"a": 1, "ts": "nope"}"#, #"{"a": 1, "b": 2"#, #"{"a": 1, "b..c": 2}"#] {
            let o = h.decode(Self.telemetry, payload)
            #expect(o.reason != nil, "\(payload)")
            #expect(o.readings.isEmpty, "\(payload)")
            #expect(h.decoder.readings.isEmpty, "\(payload)")
        }
    }

    @Test func newSeriesBeyondTheRegistryLimitIsSeriesLimit() {
        let h = DecodeHarness(registry: SeriesRegistry(limit: 2))
        #expect(h.decode(Self.telemetry, #"{"a": 1, "b": 2}"#).reason == nil)
        let o = h.decode(Self.telemetry, #"{"a": 1, "c": 3}"#)
        #expect(o.reason == .seriesLimit)
        #expect(o.readings.isEmpty)
        #expect(h.decode(Self.telemetry, #"{"b": 1, "a": 2}"#).reason == nil)
    }
}

@Suite struct MessageDecoderValueTests {
    let h = DecodeHarness()

    @Test func valuePayloadGivesOneReadingNamedByTheTopic() {
        let o = h.decode("vn/s/d/pm25", "12.5", arrivalMs: 1_795_500_000_123)
        #expect(o.reason == nil)
        #expect(o.readings.count == 1)
        #expect(h.key(o.readings[0]) == SeriesKey(site: "s", device: "d", metric: "pm25"))
        #expect(o.readings[0].value == 12.5)
        #expect(o.readings[0].eventTimeMs == 1_795_500_000_123)
        #expect(o.readings[0].seq == Reading.noSeq)
        #expect(o.readings[0].isFirstInMessage)
    }

    @Test func valueTopicSharesTheDeviceIdWithJSONTopic() {
        let v = h.decode("vn/s/d/pm25", " 12.5\n").readings
        let j = h.decode("vn/s/d/telemetry", #"{"pm25": 1, "pm10": 2}"#).readings
        #expect(v[0].series == j[0].series)
        #expect(v[0].device == j[1].device)
    }

    @Test func valuePayloadThatIsNotANumberIsBadNumber() {
        #expect(h.decode("vn/s/d/pm25", "abc").reason == .badNumber)
        #expect(h.decode("vn/s/d/pm25", "").reason == .badNumber)
        #expect(h.decode("vn/s/d/pm25", #"{"v": 1}"#).reason == .badNumber)
    }

    @Test func valuePayloadNaNIsNonFinite() {
        #expect(h.decode("vn/s/d/pm25", "NaN").reason == .nonFinite)
        #expect(h.decode("vn/s/d/pm25", "1e999").reason == .nonFinite)
    }

    @Test func badMetricSegmentIsBadTag() {
        #expect(h.decode("vn/s/d/", "1").reason == .badTag)
        #expect(h.decode("vn/s/d/..", "1").reason == .badTag)
    }
}

@Suite struct MessageDecoderInfluxTests {
    static let templates = [try! TopicTemplate(pattern: "vn/{site}/influx", format: .influx)] + TopicTemplate.defaults
    let h = DecodeHarness(templates: MessageDecoderInfluxTests.templates)
    static let tsNs: Int64 = 1_795_500_000_000_000_000
    static let tsMs: Int64 = 1_795_500_000_000

    @Test func lineGivesMeasurementDotFieldMetricsWithDeviceFromTagAndSiteFromTopic() {
        let o = h.decode("vn/s1/influx", "env,device=d1 temp=21.5,hum=60i \(Self.tsNs)", arrivalMs: Self.tsMs + 1_000)
        #expect(o.reason == nil)
        #expect(h.metrics(o) == ["env.temp": 21.5, "env.hum": 60])
        for r in o.readings {
            #expect(h.key(r).site == "s1")
            #expect(h.key(r).device == "d1")
            #expect(r.eventTimeMs == Self.tsMs)
        }
        #expect(o.readings.map(\.isFirstInMessage) == [true, false])
    }

    @Test func nanosecondTimestampIsFlooredToMilliseconds() {
        let o = h.decode("vn/s1/influx", "env,device=d1 t=1 \(Self.tsNs + 999_999)", arrivalMs: Self.tsMs)
        #expect(o.readings.first?.eventTimeMs == Self.tsMs)
    }

    @Test func lineWithoutTimestampUsesArrivalTime() {
        let o = h.decode("vn/s1/influx", "env,device=d1 t=1", arrivalMs: 1_795_500_000_777)
        #expect(o.readings.first?.eventTimeMs == 1_795_500_000_777)
    }

    @Test func severalLinesStringAndBooleanFieldsAndComments() {
        let payload = """
            # a comment
            env,device=d1,room=a temp=21.5,label="x y, z",ok=true \(Self.tsNs)

            power,device=d2 p=5u,on=F \(Self.tsNs)\r
            """
        let o = h.decode("vn/s1/influx", payload, arrivalMs: Self.tsMs)
        #expect(o.reason == nil)
        #expect(o.readings.map { h.key($0) } == [
            SeriesKey(site: "s1", device: "d1", metric: "env.temp"),
            SeriesKey(site: "s1", device: "d2", metric: "power.p"),
        ])
    }

    @Test(arguments: ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"])
    func everyBooleanSpellingIsASkippedField(spelling: String) {
        let o = h.decode("vn/s1/influx", "env,device=d1 on=\(spelling),temp=21.5 \(Self.tsNs)", arrivalMs: Self.tsMs)
        #expect(o.reason == nil)
        #expect(o.readings.count == 1)
    }

    @Test(arguments: ["tru", "fals", "TRue", "falsE"])
    func aWordThatIsNotABooleanSpellingIsBadLineProtocol(word: String) {
        let o = h.decode("vn/s1/influx", "env,device=d1 on=\(word),temp=21.5 \(Self.tsNs)", arrivalMs: Self.tsMs)
        #expect(o.reason == .badLineProtocol)
    }

    @Test func escapedSpaceAndCommaInNamesAreHonoured() {
        let o = h.decode("vn/s1/influx", #"my\ env,device=d\,1 t\ x=2"#)
        #expect(o.reason == nil)
        #expect(o.readings.map { h.key($0) } == [SeriesKey(site: "s1", device: "d,1", metric: "my env.t x")])
    }

    @Test func siteAndDeviceComeFromTagsWhenTheTopicHasNone() {
        let h = DecodeHarness(templates: [try! TopicTemplate(pattern: "influx/+", format: .influx)])
        let o = h.decode("influx/x", "env,site=hcmc,device=m7 v=1")
        #expect(o.reason == nil)
        #expect(o.readings.map { h.key($0) } == [SeriesKey(site: "hcmc", device: "m7", metric: "env.v")])
    }

    @Test func missingDeviceTagIsBadTag() {
        #expect(h.decode("vn/s1/influx", "env temp=1").reason == .badTag)
    }

    @Test(arguments: ["env", "env,device=d1", "env,device=d1 ", "env,device temp=1", "env,=x temp=1", "env,device=d1 temp",
                      "env,device=d1 =1", "env,device=d1 temp=", "env,device=d1 temp=1,", "env,device=d1 s=\"open",
                      "env,device=d1 ok=tru", ",device=d1 t=1", "env,device=d1  t=1"])
    func malformedLineIsBadLineProtocol(payload: String) {
        let o = h.decode("vn/s1/influx", payload)
        #expect(o.reason == .badLineProtocol)
        #expect(o.readings.isEmpty)
    }

    @Test(arguments: ["env,device=d1 t=1 soon", "env,device=d1 t=1 1.5e18", "env,device=d1 t=1 123456789012345678901"])
    func nonIntegerTimestampIsBadTimestamp(payload: String) {
        #expect(h.decode("vn/s1/influx", payload).reason == .badTimestamp)
    }

    /// The earliest nanosecond timestamp an integer holds (1677-09-21) is a time like any other,
    /// not an arithmetic overflow.
    @Test func theEarliestNanosecondTimestampIsDecoded() {
        let o = h.decode("vn/s1/influx", "env,device=d1 t=1 -9223372036854775807")
        #expect(o.reason == nil)
        #expect(o.readings.first?.eventTimeMs == -9_223_372_036_855)
    }

    @Test func badLineAfterAGoodOneRejectsTheWholeMessage() {
        let o = h.decode("vn/s1/influx", "env,device=d1 t=1\nenv,device=d1 t")
        #expect(o.reason == .badLineProtocol)
        #expect(o.readings.isEmpty)
    }

    @Test func onlyStringFieldsIsNoMetrics() {
        #expect(h.decode("vn/s1/influx", #"env,device=d1 s="x""#).reason == .noMetrics)
    }
}
