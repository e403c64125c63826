import Testing
@testable import TelemetryCore

@Suite struct QuantileSketchTests {
    /// The stated error: 1% of the exact quantile's magnitude (plus rounding of ln and exp,
    /// far below it).
    static let tolerance = QuantileSketch.relativeAccuracy * (1 + 1e-9)
    static let quantiles = [0.5, 0.9, 0.95, 0.99]

    /// The exact lower quantile: the element of 0-based rank ⌊q·(n−1)⌋.
    static func exact(_ sorted: [Double], _ q: Double) -> Double {
        sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
    }

    static func sketch(_ values: [Double]) -> QuantileSketch {
        var s = QuantileSketch()
        for v in values { s.add(v) }
        return s
    }

    static func expectWithinStatedError(_ values: [Double], _ label: String) {
        let s = sketch(values)
        let sorted = values.sorted()
        for q in quantiles + [0, 0.1, 0.25, 0.75, 1] {
            let want = exact(sorted, q)
            let got = s.quantile(q)!
            #expect((got - want).magnitude <= tolerance * want.magnitude, "\(label): q=\(q) exact \(want), sketch \(got)")
        }
    }

    @Test func quantilesOfUniformRandomDataAreWithinOnePercent() {
        var rng = SplitMix64(seed: 1)
        for n in [1, 2, 10, 101, 5_000] {
            let values = (0..<n).map { _ in rng.unit() * 100 }
            Self.expectWithinStatedError(values, "uniform n=\(n)")
        }
    }

    @Test func quantilesOfAWideDynamicRangeAreWithinOnePercent() {
        // Within the 2048 bins: positive values over a factor 2^40 (1,400 bins), and values of
        // both signs over 2^24 each (2 × 840 bins).
        var rng = SplitMix64(seed: 2)
        let positive = (0..<3_000).map { _ in Double(sign: .plus, exponent: Int(rng.unit() * 40) - 20, significand: 1 + rng.unit()) }
        Self.expectWithinStatedError(positive, "wide, positive")
        let mixed = (0..<3_000).map { _ in
            let v = Double(sign: .plus, exponent: Int(rng.unit() * 24) - 12, significand: 1 + rng.unit())
            return rng.unit() < 0.5 ? -v : v
        }
        Self.expectWithinStatedError(mixed, "wide, both signs")
    }

    @Test func quantilesOfAdversarialDataAreWithinOnePercent() {
        Self.expectWithinStatedError(Array(repeating: 21.5, count: 100), "constant")
        Self.expectWithinStatedError(Array(repeating: 0, count: 7), "zeros")
        Self.expectWithinStatedError([1, 1000] + Array(repeating: 1, count: 98) + Array(repeating: 1000, count: 3), "two values")
        Self.expectWithinStatedError((0..<200).map { Double($0 - 100) }, "negatives and zero")
        Self.expectWithinStatedError([-3.5, -3.5, 0, 0, 0, 2e-300, 7e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude],
                                     "extremes")
        Self.expectWithinStatedError([.leastNonzeroMagnitude, 4.9e-320, 1e-310], "subnormals")
        Self.expectWithinStatedError((0..<1000).map { Double($0 % 2 == 0 ? $0 : -$0) * 1.001 }, "alternating")
    }

    @Test func anEmptySketchHasNoQuantile() {
        #expect(QuantileSketch().quantile(0.5) == nil)
        #expect(QuantileSketch().count == 0)
    }

    @Test func mergingEqualsTheSketchOfTheUnion() {
        var rng = SplitMix64(seed: 3)
        let a = (0..<500).map { _ in rng.unit() * 50 - 10 }
        let b = (0..<300).map { _ in rng.unit() * 1e6 }
        var merged = Self.sketch(a)
        merged.merge(Self.sketch(b))
        #expect(merged == Self.sketch(a + b))
        var other = Self.sketch(b)
        other.merge(Self.sketch(a))
        #expect(other == merged)
    }

    @Test func sketchesOfOneAndOfTwoBinsMergeLikeAnyOther() {
        let one = Self.sketch([5, 5, 5])
        #expect(one.binCount == 1)
        var merged = one
        merged.merge(Self.sketch([7]))
        #expect(merged == Self.sketch([5, 7, 5, 5]))
        #expect(merged.binCount == 2)
        var same = one
        same.merge(Self.sketch([5]))
        #expect(same == Self.sketch([5, 5, 5, 5]))
        #expect(QuantileSketch(text: same.text) == same)
    }

    @Test func binsAreBoundedAndTheHighQuantilesKeepTheirAccuracy() {
        // 10,000 values spread over a factor 10^170: far more than 2048 distinct bins.
        let values = (0..<10_000).map { Double(sign: .plus, exponent: $0 / 18 - 250, significand: 1 + Double($0 % 18) / 18) }
        let s = Self.sketch(values)
        #expect(s.binCount == QuantileSketch.maxBins)
        #expect(s.count == 10_000)
        let sorted = values.sorted()
        for q in [0.9, 0.95, 0.99, 1] {  // above the collapsed lowest ~80%
            let want = Self.exact(sorted, q)
            #expect((s.quantile(q)! - want).magnitude <= Self.tolerance * want)
        }
        var merged = Self.sketch(Array(values[..<5_000]))
        merged.merge(Self.sketch(Array(values[5_000...])))
        #expect(merged.binCount == QuantileSketch.maxBins)
        #expect(merged.count == 10_000)
    }

    @Test func theTextFormRoundTrips() {
        var rng = SplitMix64(seed: 4)
        let s = Self.sketch((0..<400).map { _ in rng.unit() * 40 - 20 } + [0, 0])
        let text = s.text
        #expect(text.hasPrefix("dd1:"))
        #expect(QuantileSketch(text: text) == s)
        #expect(QuantileSketch(text: QuantileSketch().text) == QuantileSketch())
    }

    @Test func theTextFormOfATenReadingWindowIsShort() {
        let s = Self.sketch([21.0, 21.1, 21.1, 21.2, 21.3, 21.3, 21.2, 21.4, 21.5, 21.5])
        #expect(s.text.utf8.count <= 24, "\(s.text)")
    }

    @Test(arguments: ["", "dd2:AAAA", "dd1:!!", "dd1:AQ", "dd1:AgA=", "dd1:AgEBAQ=="])
    func malformedTextIsRefused(_ text: String) {
        // bad tag, bad base64, truncated varint, zero count, keys not increasing
        #expect(QuantileSketch(text: text) == nil)
    }

    @Test func naturalLogAndExpMatchKnownValues() {
        #expect((QuantileSketch.naturalLog(2.718281828459045) - 1).magnitude < 1e-15)
        #expect((QuantileSketch.naturalLog(10) - 2.302585092994046).magnitude < 1e-15)
        #expect((QuantileSketch.naturalExp(1) - 2.718281828459045).magnitude < 1e-15)
        #expect((QuantileSketch.naturalExp(-700) / 9.859676543759770e-305 - 1).magnitude < 1e-13)
    }
}

extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double.random(in: 0..<1, using: &self) }
}
