import Testing
@testable import TelemetryCore

@Suite struct WindowSizeTests {
    @Test(arguments: [("10s", 10_000), ("1m", 60_000), ("1h", 3_600_000), ("15m", 900_000), ("1d", 86_400_000)] as [(String, Int64)])
    func parsesCanonicalNames(text: String, ms: Int64) {
        let w = WindowSize(parsing: text)
        #expect(w?.milliseconds == ms)
        #expect(w?.name == text)
    }

    @Test(arguments: [("60s", "1m"), ("3600s", "1h"), ("60m", "1h"), ("24h", "1d"), ("120s", "2m"), ("1000ms", "1s")])
    func canonicalisesTheName(text: String, canonical: String) {
        #expect(WindowSize(parsing: text)?.name == canonical)
        #expect(WindowSize(parsing: text) == WindowSize(parsing: canonical))
    }

    @Test(arguments: ["0s", "7s", "abc", "-1m", "2d", "", "s", "10", "10x", "10 s", "1.5m", "+1m", "25h", "99999999999999999999s"])
    func rejectsInvalidWindows(text: String) {
        #expect(WindowSize(parsing: text) == nil)
    }

    @Test func secondsInitializerRequiresADivisorOfADay() {
        #expect(WindowSize(seconds: 10)?.name == "10s")
        #expect(WindowSize(seconds: 7) == nil)
        #expect(WindowSize(seconds: 0) == nil)
    }

    @Test func windowsOrderByLength() {
        #expect(WindowSize(parsing: "10s")! < WindowSize(parsing: "1m")!)
        #expect(!(WindowSize(parsing: "1h")! < WindowSize(parsing: "1m")!))
    }

    @Test func startOfNegativeTimesRoundsTowardsMinusInfinity() {
        let w = WindowSize(parsing: "10s")!
        #expect(w.start(containing: -1) == -10_000)
        #expect(w.start(containing: -10_000) == -10_000)
        #expect(w.start(containing: -10_001) == -20_000)
        #expect(w.start(containing: 0) == 0)
        #expect(w.start(containing: 9_999) == 0)
        #expect(w.start(containing: 10_000) == 10_000)
    }

    @Test func startContainsTheTimeAndIsAligned() {
        var rng = SplitMix64(seed: 11)
        for name in ["10s", "1m", "15m", "1h", "1d"] {
            let w = WindowSize(parsing: name)!
            for _ in 0..<500 {
                let t = rng.int64(-5_000_000_000_000...5_000_000_000_000)
                let s = w.start(containing: t)
                #expect(s <= t && t < s + w.milliseconds, "\(name) \(t)")
                #expect(s % w.milliseconds == 0, "\(name) \(t)")
            }
        }
    }
}
