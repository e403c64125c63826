import Testing
import TelemetrySimulator

@Test func rfc3339ParsesUTC() {
    #expect(RFC3339.parse("2026-11-24T00:00:00Z") == 1_795_478_400_000)
    #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
}

@Test func rfc3339ParsesFractionsAndOffsets() {
    #expect(RFC3339.parse("2026-11-24T07:00:00.5+07:00") == 1_795_478_400_500)
    #expect(RFC3339.parse("2026-11-23T23:00:00.123456-01:00") == 1_795_478_400_123)
}

@Test(arguments: [
    "2026-11-24", "2026-11-24T00:00:00", "2026-02-29T00:00:00Z", "2026-11-24T24:00:00Z",
    "2026-13-01T00:00:00Z", "now", "2026-11-24T00:00:00Zjunk", "2026-11-24T00:00:00.Z",
])
func rfc3339RejectsInvalidText(text: String) {
    #expect(RFC3339.parse(text) == nil)
}

@Test func rfc3339FormatsMillisecondsInUTC() {
    #expect(RFC3339.format(milliseconds: 1_795_500_000_120) == "2026-11-24T06:00:00.120Z")
    #expect(RFC3339.format(milliseconds: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
    #expect(RFC3339.formatSeconds(milliseconds: 1_795_478_400_000) == "2026-11-24T00:00:00Z")
}

@Test func rfc3339RoundTripsOverCenturies() {
    var ms: Int64 = 0
    while ms < 253_402_300_800_000 {
        #expect(RFC3339.parse(RFC3339.format(milliseconds: ms)) == ms)
        ms += 86_400_000 * 97 + 3_723_456
    }
}
