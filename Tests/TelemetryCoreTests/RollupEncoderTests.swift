import Foundation
import Testing
@testable import TelemetryCore

@Suite struct RollupEncoderTests {
    static let columns = ["window", "start", "end", "site", "device", "metric", "count",
                          "min", "max", "sum", "mean", "first", "last", "stddev",
                          "first_ts", "last_ts", "m2", "p50", "p90", "p95", "p99", "sketch"]
    static let start: Int64 = 1_795_500_000_000   // 2026-11-24T06:00:00Z

    static func rollup(_ values: [Double], site: String = "hanoi", device: String = "aq-001", metric: String = "pm25",
                       window: String = "1m") -> Rollup {
        var s = RollupAccumulator()
        var sketch = QuantileSketch()
        for (i, v) in values.enumerated() { s.add(v, at: start + Int64(i)); sketch.add(v) }
        return Rollup(window: WindowSize(parsing: window)!, startMs: start,
                      key: SeriesKey(site: site, device: device, metric: metric), stats: s, sketch: sketch)
    }

    static func line(_ r: Rollup, _ format: RollupFileFormat = .jsonl) -> String {
        var out: [UInt8] = []
        RollupEncoder.append(r, format: format, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func parse(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// The raw text of each top-level value of a flat JSON object line, by key, in order
    /// (the test's own tokenizer; values here hold no commas except inside strings).
    static func rawFields(_ line: String) -> [(String, String)] {
        var fields: [(String, String)] = []
        var body = Substring(line.trimmingCharacters(in: .newlines))
        body = body.dropFirst().dropLast()   // { }
        var i = body.startIndex
        while i < body.endIndex {
            // key
            precondition(body[i] == "\"")
            let keyEnd = body[body.index(after: i)...].firstIndex(of: "\"")!
            let key = String(body[body.index(after: i)..<keyEnd])
            i = body.index(keyEnd, offsetBy: 2)  // past `":`
            // value: a string (with escapes) or a bare token
            var j = i
            if body[j] == "\"" {
                j = body.index(after: j)
                while body[j] != "\"" { j = body.index(j, offsetBy: body[j] == "\\" ? 2 : 1) }
                j = body.index(after: j)
            } else {
                while j < body.endIndex, body[j] != "," { j = body.index(after: j) }
            }
            fields.append((key, String(body[i..<j])))
            i = j < body.endIndex ? body.index(after: j) : j
        }
        return fields
    }

    @Test func jsonLineHasExactlyTheTwentyTwoFieldsInOrder() {
        let text = Self.line(Self.rollup([30.1, 41, 35.5]))
        #expect(text.hasSuffix("}\n"))
        #expect(text.filter { $0 == "\n" }.count == 1)
        #expect(Self.rawFields(text).map { $0.0 } == Self.columns)
        let o = Self.parse(text)
        #expect(o?.count == 22)
    }

    @Test func jsonLineValuesReadBackWithFoundation() {
        let values = [30.1, 41, 35.5, 33.25]
        let o = Self.parse(Self.line(Self.rollup(values)))!
        #expect(o["window"] as? String == "1m")
        #expect(o["start"] as? String == "2026-11-24T06:00:00.000Z")
        #expect(o["end"] as? String == "2026-11-24T06:01:00.000Z")
        #expect(o["site"] as? String == "hanoi")
        #expect(o["device"] as? String == "aq-001")
        #expect(o["metric"] as? String == "pm25")
        #expect((o["count"] as? NSNumber)?.intValue == 4)
        let mean = values.reduce(0, +) / 4
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4).squareRoot()
        let expected: [String: Double] = ["min": 30.1, "max": 41, "sum": values.reduce(0, +), "mean": mean,
                                          "first": 30.1, "last": 33.25, "stddev": sd]
        for (k, v) in expected {
            let got = (o[k] as? NSNumber)?.doubleValue
            #expect(got.map { nearlyEqual($0, v) } == true, "\(k): \(String(describing: got)) vs \(v)")
        }
    }

    @Test func countIsAnIntegerAndEveryOtherNumberHasAPointOrExponent() {
        let fields = Dictionary(uniqueKeysWithValues: Self.rawFields(Self.line(Self.rollup([230, 230]))))
        #expect(fields["count"] == "2")
        #expect(fields["min"] == "230.0")
        #expect(fields["max"] == "230.0")
        #expect(fields["sum"] == "460.0")
        #expect(fields["mean"] == "230.0")
        #expect(fields["first"] == "230.0")
        #expect(fields["stddev"] == "0.0")
        #expect(fields["m2"] == "0.0")
        #expect(fields["p50"] == "230.0")
        #expect(fields["p99"] == "230.0")
    }

    @Test func firstAndLastTimestampsAreTheEventTimesOfTheFirstAndLastReadings() {
        var s = RollupAccumulator()
        s.add(2, at: Self.start + 7_250)
        s.add(1, at: Self.start + 1_500)
        s.add(3, at: Self.start + 59_999)
        let r = Rollup(window: WindowSize(parsing: "1m")!, startMs: Self.start, key: SeriesKey(site: "a", device: "b", metric: "c"), stats: s)
        let fields = Dictionary(uniqueKeysWithValues: Self.rawFields(Self.line(r)))
        #expect(fields["first_ts"] == #""2026-11-24T06:00:01.500Z""#)
        #expect(fields["last_ts"] == #""2026-11-24T06:00:59.999Z""#)
        #expect(fields["m2"] == "2.0")
    }

    @Test func percentileColumnsFollowTheConfiguredList() {
        let r = Self.rollup((1...1000).map { Double($0) })
        var encoder = RollupLineEncoder(format: .jsonl, percentiles: [Percentile(percent: 99.9)!, Percentile(percent: 25)!])
        var out: [UInt8] = []
        encoder.append(r, to: &out)
        let fields = Self.rawFields(String(decoding: out, as: UTF8.self))
        #expect(fields.map(\.0).suffix(4) == ["m2", "p99_9", "p25", "sketch"])
        let p999 = Double(fields.first { $0.0 == "p99_9" }!.1)!
        #expect((p999 - 999).magnitude <= 9.99)
        var none = RollupLineEncoder(format: .csv, percentiles: [])
        out = []
        none.append(r, to: &out)
        #expect(Self.csvFields(String(decoding: out, as: UTF8.self)).count == 17)
        #expect(String(decoding: none.csvHeader, as: UTF8.self).hasSuffix(",first_ts,last_ts,m2\n"))
    }

    @Test func theSketchColumnReadsBackAsTheWindowsSketch() throws {
        let r = Self.rollup([3, 1, 4, 1, 5, 9, 2, 6])
        let fields = Dictionary(uniqueKeysWithValues: Self.rawFields(Self.line(r)))
        let text = try #require(fields["sketch"]).dropFirst().dropLast()
        #expect(QuantileSketch(text: String(text)) == r.sketch)
    }

    @Test func aRowReadBackRendersToTheSameBytes() throws {
        for format in RollupFileFormat.allCases {
            let line = Self.line(Self.rollup([21.5, 22, 19.25, 0, -4]), format)
            let row: RollupRow
            if format == .jsonl {
                row = try #require(Array(line.utf8.dropLast()).withUnsafeBytes { RollupRow.decode(jsonLine: $0) })
            } else {
                let fields = Self.csvFields(line)
                let names = RollupFileFormat.columns
                row = try #require(RollupRow.decode(
                    textNumbers: true,
                    percentiles: Percentile.defaults.map { ($0, .text(fields[names.firstIndex(of: $0.name)!])) }
                ) { c in .text(fields[names.firstIndex(of: c.rawValue)!]) })
            }
            var out: [UInt8] = []
            RollupEncoder.append(row, format: format, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == line)
        }
    }

    @Test func tinyAndHugeValuesKeepAnExponentAndReadBackExactly() {
        for v in [1e-05, 2.5e-7, 1.5e20, 6.02e23, -3e-300, 1e16] {
            let fields = Dictionary(uniqueKeysWithValues: Self.rawFields(Self.line(Self.rollup([v]))))
            let text = fields["min"]!
            #expect(text.contains("e"), "\(v) written as \(text)")
            #expect(Double(text) == v)
            let o = Self.parse(Self.line(Self.rollup([v])))
            #expect((o?["min"] as? NSNumber)?.doubleValue == v)
        }
    }

    @Test func floatTextRoundTripsRandomDoubles() {
        var rng = SplitMix64(seed: 31)
        for _ in 0..<5_000 {
            let v = Double(bitPattern: rng.next())
            guard v.isFinite else {
                #expect(JSONWriter.floatText(v) == nil)
                continue
            }
            let t = JSONWriter.floatText(v)!
            #expect(t.contains(".") || t.contains("e"), "\(t)")
            #expect(Double(t)?.bitPattern == v.bitPattern, "\(t)")
            #expect((try? JSONSerialization.jsonObject(with: Data(t.utf8), options: .fragmentsAllowed)) != nil, "\(t)")
        }
    }

    @Test func nonFiniteValuesAreNullInJSONAndEmptyInCSV() {
        let r = Self.rollup([1.7e308, 1.7e308])      // the sum overflows
        #expect(r.stats.sum == .infinity)
        let fields = Dictionary(uniqueKeysWithValues: Self.rawFields(Self.line(r)))
        #expect(fields["sum"] == "null")
        #expect(Self.parse(Self.line(r))?["sum"] is NSNull)
        let csv = Self.line(r, .csv).dropLast().split(separator: ",", omittingEmptySubsequences: false)
        #expect(csv.count == 22)
        #expect(csv[9] == "")
    }

    @Test func jsonStringsEscapeQuotesBackslashesAndControls() {
        let site = "say \"hi\"\\ \n\r\t\u{1}\u{1F}\u{7F} é 😀"
        let device = "tab\there"
        let line = Self.line(Self.rollup([1], site: site, device: device, metric: "a\"b"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(!line.unicodeScalars.dropLast().contains { $0.value < 0x20 })
        let o = Self.parse(line)
        #expect(o?["site"] as? String == site)
        #expect(o?["device"] as? String == device)
        #expect(o?["metric"] as? String == "a\"b")
    }

    /// RFC 4180 fields of one CSV line (the test's own parser).
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(line.hasSuffix("\n") ? String(line.dropLast()) : line)
        chars.append(",")
        var i = 0
        var fieldStart = true
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"", fieldStart {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""; fieldStart = true; i += 1; continue
            } else {
                field.append(c)
            }
            fieldStart = false
            i += 1
        }
        return fields
    }

    @Test func csvHeaderNamesTheColumns() {
        #expect(String(decoding: RollupEncoder.csvHeader, as: UTF8.self) == Self.columns.joined(separator: ",") + "\n")
    }

    @Test func csvLineHasTheSameColumnsAsTheJSONLine() {
        let r = Self.rollup([230, 231.5])
        let csv = Self.csvFields(Self.line(r, .csv))
        let json = Self.rawFields(Self.line(r)).map { $0.1.hasPrefix("\"") ? String($0.1.dropFirst().dropLast()) : $0.1 }
        #expect(csv == json)
        #expect(csv[7] == "230.0")
    }

    @Test func csvQuotesFieldsWithCommaQuoteOrSpace() {
        let line = Self.line(Self.rollup([1], site: "a,b", device: "say \"hi\"", metric: "x y"), .csv)
        #expect(line.contains(#","a,b","say ""hi""","x y","#))
        let f = Self.csvFields(line)
        #expect(f.count == 22)
        #expect(f[3] == "a,b")
        #expect(f[4] == "say \"hi\"")
        #expect(f[5] == "x y")
    }

    /// The last window of year 9999 ends in year 10000; its end is written and read back.
    @Test func aWindowEndingInYear10000RoundTrips() throws {
        var stats = RollupAccumulator()
        stats.add(1, at: 253_402_300_799_999)
        let r = Rollup(window: WindowSize(parsing: "1h")!, startMs: 253_402_297_200_000,
                       key: SeriesKey(site: "s", device: "d", metric: "m"), stats: stats)
        let line = Self.line(r)
        #expect(line.contains(#""start":"9999-12-31T23:00:00.000Z","end":"10000-01-01T00:00:00.000Z""#))
        let row = try #require(Array(line.utf8.dropLast()).withUnsafeBytes { RollupRow.decode(jsonLine: $0) })
        #expect(row == RollupRow(r))
    }

    @Test func csvLeavesPlainFieldsUnquoted() {
        let line = Self.line(Self.rollup([1], site: "hanoi", device: "aq-001", metric: "power.voltage"), .csv)
        #expect(line.hasPrefix("1m,2026-11-24T06:00:00.000Z,2026-11-24T06:01:00.000Z,hanoi,aq-001,power.voltage,1,"))
        #expect(!line.contains("\""))
        #expect(line.hasSuffix("\n"))
    }

    @Test func csvQuotesFieldsWithNewlines() {
        let line = Self.line(Self.rollup([1], site: "a\nb"), .csv)
        #expect(Self.csvFields(line)[3] == "a\nb")
    }
}

@Suite struct CaptureLineTests {
    static func parse(_ line: String) -> (time: Int64, topic: String, payload: String)? {
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBytes { b -> (Int64, String, String)? in
            guard let p = CaptureLine.parse(b) else { return nil }
            return (p.timeMs, String(decoding: bytes[p.topic], as: UTF8.self), String(decoding: bytes[p.payload], as: UTF8.self))
        }
    }

    @Test func parsesTimeTopicAndAPayloadWithSpaces() {
        let p = Self.parse(#"1795500000.123456 vn/a/b/telemetry {"x": 1, "y": "a b"}"#)
        #expect(p?.time == 1_795_500_000_123)
        #expect(p?.topic == "vn/a/b/telemetry")
        #expect(p?.payload == #"{"x": 1, "y": "a b"}"#)
    }

    @Test func wholeSecondsAndShortFractions() {
        #expect(Self.parse("1795500000 t p")?.time == 1_795_500_000_000)
        #expect(Self.parse("1795500000.5 t p")?.time == 1_795_500_000_500)
        #expect(Self.parse("1795500000.05 t p")?.time == 1_795_500_000_050)
    }

    @Test func missingPayloadIsEmpty() {
        let p = Self.parse("1795500000.000 vn/a/b/pm25")
        #expect(p?.topic == "vn/a/b/pm25")
        #expect(p?.payload == "")
        #expect(Self.parse("1795500000.000 vn/a/b/pm25 ")?.payload == "")
    }

    @Test func payloadKeepsLeadingAndTrailingSpaces() {
        #expect(Self.parse("1795500000 t  42 ")?.payload == " 42 ")
    }

    @Test func aCaptureTimeAfterYear9999IsNotACaptureLine() {
        #expect(Self.parse("253402300799.999 t p")?.time == 253_402_300_799_999)
        #expect(Self.parse("253402300800 t p") == nil)
    }

    @Test(arguments: ["vn/a/b/telemetry {}", " 1795500000 t p", "1795500000", "1795500000 ", "1795500000  t p",
                      "17955a0000 t p", "1795500000. t p", "1795500000.x t p", "", "-1795500000 t p",
                      "1795500000\tt p", "1234567890123 t p"])
    func rejectsLinesNotInCaptureFormat(line: String) {
        #expect(Self.parse(line) == nil)
    }
}

@Suite struct TopicTemplateTests {
    static func problem(_ pattern: String, _ format: PayloadFormat) -> String? {
        do throws(TopicTemplate.PatternError) {
            _ = try TopicTemplate(pattern: pattern, format: format)
            return nil
        } catch {
            #expect(error.pattern == pattern)
            return error.problem
        }
    }

    @Test func validPatternsAreAccepted() {
        #expect(Self.problem("vn/{site}/{device}/telemetry", .json) == nil)
        #expect(Self.problem("vn/{site}/{device}/{metric}", .value) == nil)
        #expect(Self.problem("{metric}/{device}/+/{site}", .value) == nil)
        #expect(Self.problem("factory/influx", .influx) == nil)
        #expect(Self.problem("vn/{site}/influx", .influx) == nil)
    }

    @Test func duplicatePlaceholderIsRefused() {
        #expect(Self.problem("vn/{site}/{site}/{device}", .json)?.contains("twice") == true)
    }

    @Test(arguments: ["vn/{sites}/{device}/t", "vn/{site}/{device}/{x}", "vn/{site}/dev{device}/t", "vn/{site}/{device}/t}"])
    func unknownPlaceholderIsRefused(pattern: String) {
        #expect(Self.problem(pattern, .json)?.contains("placeholder") == true)
    }

    @Test func jsonWithoutDeviceIsRefused() {
        #expect(Self.problem("vn/{site}/telemetry", .json)?.contains("json") == true)
        #expect(Self.problem("vn/{device}/telemetry", .json) != nil)
    }

    @Test func valueWithoutMetricIsRefused() {
        #expect(Self.problem("vn/{site}/{device}/pm25", .value)?.contains("value") == true)
    }

    @Test func hashWildcardIsRefused() {
        #expect(Self.problem("vn/{site}/{device}/#", .json)?.contains("#") == true)
    }

    @Test func partialSegmentWildcardIsRefused() {
        #expect(Self.problem("vn/{site}/{device}/a+", .json) != nil)
        #expect(Self.problem("vn/{site}/{device}/a#", .json) != nil)
    }

    @Test func emptyPatternIsRefused() {
        #expect(Self.problem("", .influx) != nil)
    }

    @Test func specGivesPatternAndFormat() throws {
        let t = try TopicTemplate(spec: "vn/{site}/{device}/telemetry json")
        #expect(t.pattern == "vn/{site}/{device}/telemetry")
        #expect(t.format == .json)
        let v = try TopicTemplate(spec: "  vn/{site}/{device}/{metric}   value ")
        #expect(v.format == .value)
        #expect(v.segments == [.literal(Array("vn".utf8)), .site, .device, .metric])
    }

    @Test(arguments: ["vn/{site}/{device}/telemetry", "vn/{site}/{device}/telemetry yaml", "a b c", "", "vn/{site}/telemetry json"])
    func badSpecIsRefused(spec: String) {
        #expect(throws: TopicTemplate.PatternError.self) { try TopicTemplate(spec: spec) }
    }

    @Test func subscriptionFilterTurnsPlaceholdersIntoPlus() throws {
        #expect(try TopicTemplate(pattern: "vn/{site}/{device}/telemetry", format: .json).subscriptionFilter == "vn/+/+/telemetry")
        #expect(try TopicTemplate(pattern: "vn/{site}/{device}/{metric}", format: .value).subscriptionFilter == "vn/+/+/+")
        #expect(try TopicTemplate(pattern: "a/+/{site}/{device}", format: .json).subscriptionFilter == "a/+/+/+")
    }

    @Test func defaultsAreJSONTelemetryThenValue() {
        #expect(TopicTemplate.defaults.map(\.description) == ["vn/{site}/{device}/telemetry json ts_unit=auto", "vn/{site}/{device}/{metric} value"])
    }

    static func match(_ t: TopicTemplate, _ topic: String) -> (site: String, device: String, metric: String)? {
        let bytes = Array(topic.utf8)
        return bytes.withUnsafeBytes { b -> (String, String, String)? in
            guard let m = t.match(b) else { return nil }
            return (String(decoding: bytes[m.site], as: UTF8.self), String(decoding: bytes[m.device], as: UTF8.self),
                    String(decoding: bytes[m.metric], as: UTF8.self))
        }
    }

    @Test func matchExtractsTagsAndRequiresTheExactSegmentCount() throws {
        let t = try TopicTemplate(pattern: "{metric}/x/+/{site}/{device}", format: .value)
        let m = Self.match(t, "pm25/x/anything/hanoi/d1")
        #expect(m?.site == "hanoi" && m?.device == "d1" && m?.metric == "pm25")
        #expect(Self.match(t, "pm25/x/anything/hanoi") == nil)
        #expect(Self.match(t, "pm25/x/anything/hanoi/d1/extra") == nil)
        #expect(Self.match(t, "pm25/y/anything/hanoi/d1") == nil)
        #expect(Self.match(t, "pm25/xx/anything/hanoi/d1") == nil)
    }
}
