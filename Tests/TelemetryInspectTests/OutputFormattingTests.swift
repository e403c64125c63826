import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct OutputFormattingTests {
    @Test func jsonKeepsTheFileFieldsInOrderWithDecimalPoints() {
        var row = makeRow(metric: "power.voltage", mean: 230)
        row.min = 230
        row.stddev = 0
        let line = RollupRowFormatter.jsonLine(row)
        #expect(line.hasPrefix(#"{"window":"1m","start":"2026-11-24T06:00:00.000Z","end":"2026-11-24T06:01:00.000Z","#))
        #expect(line.contains(#""count":6,"min":230.0,"#))
        #expect(line.contains(#""mean":230.0,"#))
        #expect(line.contains(#""stddev":0.0,"first_ts":"2026-11-24T06:00:01.000Z","last_ts":"2026-11-24T06:00:30.000Z","m2":"#))
        #expect(line.contains(#","p50":"#) && line.contains(#","sketch":"dd1:"#))
        let keys = try? JSONParser.parse(line).objectMembers?.map(\.key)
        #expect(keys == RollupFileFormat.columns)
    }

    @Test func jsonRoundTripsThroughTheReader() throws {
        let dir = try TemporaryDataDirectory()
        let rows = [
            makeRow(mean: 230), makeRow(site: "Hà Nội", mean: 1e-7),
            makeRow(device: "tab\there \"quoted\" \\ \u{1B}[2J", mean: 123456789.125),
        ]
        let path = try dir.write("out.jsonl", rows.map(jsonLine).joined())
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll() == rows)
    }

    @Test func jsonEscapesControlCharacters() {
        let line = RollupRowFormatter.jsonLine(makeRow(device: "a\u{1B}[31mb\u{7F}\u{9B}c\nd"))
        #expect(line.contains(#""device":"a\u001b[31mb\u007f\u009bc\nd""#))
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test func csvLineSplitsBackIntoTheSameFields() {
        let row = makeRow(site: "Hà Nội, \"Q1\"", device: "x")
        let line = RollupRowFormatter.csvLine(row)
        let fields = CSVSplitter.split(Array(line.utf8))
        #expect(fields?[3] == "Hà Nội, \"Q1\"")
        #expect(fields?.count == RollupFileFormat.columns.count)
        #expect(fields?[10] == "35.6")
    }

    @Test func csvOutputStartsWithTheDaemonHeader() {
        let lines = RollupRowFormatter.render([makeRow()], format: .csv)
        #expect(lines.first == "window,start,end,site,device,metric,count,min,max,sum,mean,first,last,stddev,"
                + "first_ts,last_ts,m2,p50,p90,p95,p99,sketch")
        #expect(lines.count == 2)
    }

    @Test func tableNeutralisesControlCharacters() {
        let lines = RollupRowFormatter.render(
            [makeRow(site: "evil\u{1B}]0;pwned\u{07}", device: "d\u{9B}2J\r", metric: "m\u{202E}txt")], format: .table)
        let text = lines.joined(separator: "\n")
        #expect(!text.unicodeScalars.contains { TerminalSafeText.isUnsafe($0) && $0 != "\n" })
        #expect(text.contains("evil\\u{1B}]0;pwned\\u{7}"))
        #expect(text.contains("d\\u{9B}2J\\u{D}"))
        #expect(text.contains("m\\u{202E}txt"))
    }

    @Test func tableColumnsAlignWithVietnameseText() {
        let lines = RollupRowFormatter.render(
            [makeRow(site: "Hà Nội", mean: 1), makeRow(site: "hcmc", mean: 2)], format: .table)
        #expect(lines.count == 4)
        let widths = lines.map(TerminalSafeText.displayWidth)
        #expect(Set(widths).count == 1)
    }

    @Test func tableShowsComputedNumbersToSixDecimals() {
        let lines = RollupRowFormatter.render([makeRow(mean: 35.6123456)], format: .table)
        #expect(lines[2].contains(" 35.612346 "))
        #expect(lines[2].hasPrefix("2026-11-24 06:00:00  hanoi"))
    }

    @Test(arguments: [
        (35.6, "35.6"), (230.0, "230"), (0.001234, "0.001234"), (101_325.0, "101325"),
        (1_234_567_890.0, "1.235e+09"), (0.0, "0"), (-3.14159, "-3.142"), (Double.nan, "-"),
    ])
    func compactNumbers(value: Double, text: String) {
        #expect(CompactNumber.format(value) == text)
    }

    @Test func seriesJSONHasFirstAndLastStart() throws {
        let summary = SeriesSummary(
            window: WindowSize(parsing: "1m")!, series: SeriesKey(site: "s", device: "d", metric: "m"),
            rollups: 3, firstStart: ms("2026-11-24T06:00:00Z"), lastStart: ms("2026-11-24T06:02:00Z"))
        let value = try JSONParser.parse(SeriesSummaryFormatter.jsonLine(summary))
        #expect(value.member("rollups") == .number("3"))
        #expect(value.member("first_start") == .string("2026-11-24T06:00:00.000Z"))
        #expect(value.member("last_start") == .string("2026-11-24T06:02:00.000Z"))
    }
}

@Suite struct TerminalSafeTextTests {
    @Test func keepsPrintableUnicode() {
        #expect(TerminalSafeText.sanitize("Hà Nội – Đà Nẵng 🌫") == "Hà Nội – Đà Nẵng 🌫")
    }

    @Test(arguments: [
        ("\u{1B}[31m", "\\u{1B}[31m"), ("\u{0}", "\\u{0}"), ("\u{7F}", "\\u{7F}"), ("\u{85}", "\\u{85}"),
        ("\u{9B}", "\\u{9B}"), ("a\nb", "a\\u{A}b"), ("\u{2028}", "\\u{2028}"), ("\u{2067}", "\\u{2067}"),
    ])
    func replacesControlCharacters(raw: String, shown: String) {
        #expect(TerminalSafeText.sanitize(raw) == shown)
    }

    /// For a terminal a JSON line loses its raw bidi controls but stays JSON with the same
    /// values (`\u202E` is the same string to a JSON reader).
    @Test func forATerminalAJSONLineEscapesBidiControlsAndKeepsItsValues() throws {
        let row = makeRow(site: "rlo\u{202E}txt", device: "lri\u{2066}x\u{2069}", metric: "esc\u{1B}[2J")
        let line = TerminalSafeText.forTerminal(RollupRowFormatter.jsonLine(row), format: .json)
        #expect(!line.unicodeScalars.contains(where: TerminalSafeText.isUnsafe))
        #expect(line.contains(#""site":"rlo\u202etxt","device":"lri\u2066x\u2069","metric":"esc\u001b[2J""#))
        let back = try #require(Array(line.utf8).withUnsafeBytes { RollupRow.decode(jsonLine: $0) })
        #expect(back == row)
    }

    @Test func forATerminalACSVLineShowsControlCharactersVisibly() {
        let row = makeRow(site: "bel\u{07}", device: "csi\u{9B}2J", metric: "rlo\u{202E}")
        let line = TerminalSafeText.forTerminal(RollupRowFormatter.csvLine(row), format: .csv)
        #expect(line.contains(#""bel\u{7}","csi\u{9B}2J",rlo\u{202E},"#))
        #expect(!line.unicodeScalars.contains(where: TerminalSafeText.isUnsafe))
    }

    @Test func displayWidthCountsCharactersNotBytes() {
        #expect(TerminalSafeText.displayWidth("Hà Nội") == 6)
        #expect(TerminalSafeText.displayWidth("Ha\u{0300} No\u{0302}\u{0323}i") == 6)  // decomposed
        #expect(TerminalSafeText.displayWidth("河内") == 4)
    }
}

@Suite struct JSONParserTests {
    @Test func keepsMemberOrderAndNumberLiterals() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":2.50,"c":[true,null,"x"]}"#)
        #expect(value.objectMembers?.map(\.key) == ["b", "a", "c"])
        #expect(value.member("a") == .number("2.50"))
        #expect(value.member("c") == .array([.bool(true), .null, .string("x")]))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""H\u00e0 N\u1ed9i \ud83c\udf2b \"q\" \\ \/""#)
        #expect(value == .string("Hà Nội 🌫 \"q\" \\ /"))
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "01", "1.", "-", "\"a\u{01}b\"", "{\"a\":1} x", "tru", "\"\\x\"",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }
}
