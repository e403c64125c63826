import Testing
import TelemetrySimulator

@Test(arguments: [
    ("500ms", 500), ("90s", 90_000), ("10m", 600_000), ("1h", 3_600_000), ("1d", 86_400_000),
    ("90", 90_000), ("0.25", 250), ("1.5h", 5_400_000), ("1h30m", 5_400_000), ("0", 0),
    ("2m30s", 150_000), ("1s500ms", 1_500),
] as [(String, Int64)])
func durationParserAccepts(text: String, milliseconds: Int64) throws {
    #expect(try DurationParser.milliseconds(text) == milliseconds)
}

@Test(arguments: [
    "", "abc", "5x", "-1s", "+1s", "1 h", " 1h", "h", "1.5ms", "1h30", "1..5s", "1e3", "1.s",
    "999999999999999999999d", "36501d", "0.0001s", "10M",
])
func durationParserRejects(text: String) {
    #expect(throws: DurationParser.ParseError.self) { try DurationParser.milliseconds(text) }
}

@Test func durationErrorSaysWhatIsExpected() {
    do {
        _ = try DurationParser.milliseconds("5x")
        Issue.record("5x was accepted")
    } catch {
        #expect(error.description.contains("expected e.g. 500ms, 90s, 10m, 1h, 1d"))
        #expect(error.description.contains("'5x'"))
    }
}

@Test(arguments: [0, 500, 1_000, 90_000, 3_600_000, 5_400_000, 86_400_000, 90_061_001] as [Int64])
func durationFormatRoundTrips(milliseconds: Int64) throws {
    #expect(try DurationParser.milliseconds(DurationParser.format(milliseconds: milliseconds)) == milliseconds)
}

@Test func durationFormatIsCompact() {
    #expect(DurationParser.format(milliseconds: 3_600_000) == "1h")
    #expect(DurationParser.format(milliseconds: 5_400_000) == "1h30m")
    #expect(DurationParser.format(milliseconds: 10_000) == "10s")
    #expect(DurationParser.format(milliseconds: 500) == "500ms")
}
