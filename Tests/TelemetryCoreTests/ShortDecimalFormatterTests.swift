import Foundation
import Testing
@testable import TelemetryCore

/// ``ShortDecimalFormatter`` writes exactly the standard library's bytes whenever it takes a
/// value: each test draws doubles from one distribution, formats each both ways and compares.
@Suite struct ShortDecimalFormatterTests {
    /// What comparing many values found: how many the fast path took, and the first few that
    /// came out different (value, fast text, standard library text).
    struct Comparison {
        var compared = 0
        var taken = 0
        var mismatches: [(Double, String, String)] = []
        private var fast: [UInt8] = []
        private var general: [UInt8] = []

        /// Formats `value` both ways (and through ``JSONWriter/appendFloat(_:to:)``, which must
        /// agree with the standard library for every finite value).
        mutating func check(_ value: Double) {
            compared += 1
            fast.removeAll(keepingCapacity: true)
            general.removeAll(keepingCapacity: true)
            let took = ShortDecimalFormatter.append(value, to: &fast)
            guard value.isFinite else {
                if took || !fast.isEmpty { record(value) }
                var out: [UInt8] = []
                if JSONWriter.appendFloat(value, to: &out) || !out.isEmpty { record(value) }
                return
            }
            JSONWriter.appendFloatByStandardLibrary(value, to: &general)
            if took {
                taken += 1
                if fast != general { record(value) }
            } else if !fast.isEmpty {
                record(value)
            }
            fast.removeAll(keepingCapacity: true)
            JSONWriter.appendFloat(value, to: &fast)
            if fast != general { record(value) }
        }

        /// Checks `value` and its negation.
        mutating func checkBothSigns(_ value: Double) {
            check(value)
            check(-value)
        }

        private mutating func record(_ value: Double) {
            guard mismatches.count < 10 else { return }
            mismatches.append((value, String(decoding: fast, as: UTF8.self), String(decoding: general, as: UTF8.self)))
        }

        var report: String {
            mismatches.map { "\($0.0.bitPattern): fast \($0.1) standard \($0.2)" }.joined(separator: "\n")
        }
    }

    static func text(_ value: Double) -> String? {
        var out: [UInt8] = []
        guard ShortDecimalFormatter.append(value, to: &out) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    static let powersOfTen: [Double] = (0...22).map { Double("1e\($0)")! }

    /// A random decimal of 1…15 significant digits with 0…`maxPlaces` places, as the double a
    /// parser makes of it (`m / 10^p`, one correctly rounded division of exact doubles).
    static func shortDecimal(_ rng: inout SplitMix64, maxPlaces: Int, maxDigits: Int = 15) -> Double {
        let digits = rng.int(1...maxDigits)
        let mantissa = Int64.random(in: 0..<Int64(powersOfTen[digits]), using: &rng)
        return Double(mantissa) / powersOfTen[rng.int(0...maxPlaces)]
    }

    @Test func readingsLikeSensorValuesComeOutAsTheirDecimals() {
        #expect(Self.text(228.7) == "228.7")
        #expect(Self.text(21.20) == "21.2")
        #expect(Self.text(48475.010) == "48475.01")
        #expect(Self.text(-3.25) == "-3.25")
        #expect(Self.text(0.001) == "0.001")
        #expect(Self.text(0.00123) == "0.00123")
        #expect(Self.text(0.1) == "0.1")
        #expect(Self.text(230) == "230.0")
        #expect(Self.text(-230) == "-230.0")
        #expect(Self.text(1e15) == "1000000000000000.0")
        #expect(Self.text(0x1p50 - 1) == "1125899906842623.0")
    }

    @Test func zeroKeepsItsSign() {
        #expect(Self.text(0.0) == "0.0")
        #expect(Self.text(-0.0) == "-0.0")
        #expect(JSONWriter.floatText(-0.0) == "-0.0")
    }

    @Test func valuesOutsideTheFastRangeOrNotShortAreLeftToTheStandardLibrary() {
        for value in [0.000_999_9, 1e-4, 1e-5, 0x1p50, 1e16, 0x1p53, 0.1 + 0.2, 1.0 / 3, .pi,
                      .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude] {
            #expect(Self.text(value) == nil, "\(value)")
        }
        // …and those come out as before: the exponent switch is the standard library's.
        #expect(JSONWriter.floatText(1e-4) == "0.0001")
        #expect(JSONWriter.floatText(1e-5) == "1e-05")
        #expect(JSONWriter.floatText(0x1p53) == "9007199254740992.0")
        #expect(JSONWriter.floatText(0x1p53.nextUp) == "9.007199254740994e+15")
        #expect(JSONWriter.floatText(0.1 + 0.2) == "0.30000000000000004")
    }

    @Test func shortDecimalsAtZeroToSixPlacesInManyMagnitudesMatchTheStandardLibrary() {
        var rng = SplitMix64(seed: 0xF1)
        var comparison = Comparison()
        for _ in 0..<1_000_000 {
            // Up to 10 integer digits and 0–6 places: 0.000001 … 9999999999.999999.
            let places = rng.int(0...6)
            let digits = rng.int(1...(places + 10))
            let mantissa = Int64.random(in: 0..<Int64(Self.powersOfTen[digits]), using: &rng)
            comparison.checkBothSigns(Double(mantissa) / Self.powersOfTen[places])
        }
        #expect(comparison.mismatches.isEmpty, "\(comparison.report)")
        // Nearly all of them are in the fast range and short enough: the path is exercised.
        #expect(comparison.taken > comparison.compared * 9 / 10)
    }

    @Test func shortDecimalsReadFromTextAreWrittenAsTheirOwnDigits() throws {
        var rng = SplitMix64(seed: 0xF2)
        var taken = 0
        for _ in 0..<100_000 {
            let integer = String(Int64.random(in: 1..<1_000_000_000, using: &rng))
            let places = rng.int(1...6)
            var fraction = String(Int64.random(in: 0..<Int64(Self.powersOfTen[places]), using: &rng))
            fraction = String(repeating: "0", count: places - fraction.count) + fraction
            while fraction.count > 1 && fraction.hasSuffix("0") { fraction.removeLast() }
            let literal = integer + "." + fraction
            let value = try #require(Double(literal))
            guard let text = Self.text(value) else { continue }
            taken += 1
            #expect(text == literal)
            if text != literal { break }
        }
        #expect(taken == 100_000)
    }

    @Test func randomBitPatternsMatchTheStandardLibrary() {
        var rng = SplitMix64(seed: 0xF3)
        var comparison = Comparison()
        for _ in 0..<1_000_000 {
            comparison.check(Double(bitPattern: rng.next()))
        }
        #expect(comparison.mismatches.isEmpty, "\(comparison.report)")
    }

    @Test func randomBitPatternsAroundTheFastRangeMatchTheStandardLibrary() {
        // Binary exponents -16…56: from below 1e-4 to above 2^53, with random significands and
        // (to make the short ones common) significands with most low bits cleared.
        var rng = SplitMix64(seed: 0xF4)
        var comparison = Comparison()
        for i in 0..<1_000_000 {
            let exponent = UInt64(1023 + rng.int(-16...56))
            var significand = rng.next() & ((1 << 52) - 1)
            if i % 2 == 0 { significand &= ~((1 << UInt64(rng.int(20...52))) - 1) }
            comparison.checkBothSigns(Double(bitPattern: exponent << 52 | significand))
        }
        #expect(comparison.mismatches.isEmpty, "\(comparison.report)")
    }

    @Test func sumsMeansAndQuotientsMatchTheStandardLibrary() {
        var rng = SplitMix64(seed: 0xF5)
        var comparison = Comparison()
        for _ in 0..<250_000 {
            let a = Self.shortDecimal(&rng, maxPlaces: 3, maxDigits: 7)
            let b = Self.shortDecimal(&rng, maxPlaces: 3, maxDigits: 7)
            comparison.checkBothSigns(a + b)
            comparison.checkBothSigns(a - b)
            let count = Double(rng.int(1...1_000))
            var sum = 0.0
            for _ in 0..<Int(count) % 17 + 1 { sum += Self.shortDecimal(&rng, maxPlaces: 2, maxDigits: 6) }
            comparison.checkBothSigns(sum)
            comparison.checkBothSigns(sum / count)
            if b != 0 { comparison.checkBothSigns(a / b) }
            comparison.checkBothSigns((a * b).squareRoot())
        }
        #expect(comparison.mismatches.isEmpty, "\(comparison.report)")
    }

    @Test func integersUpTo2To53MatchTheStandardLibrary() {
        var rng = SplitMix64(seed: 0xF6)
        var comparison = Comparison()
        for _ in 0..<500_000 {
            let bits = rng.int(0...53)
            comparison.checkBothSigns(Double(rng.next() >> UInt64(64 - bits) | (bits == 0 ? 0 : 1 << UInt64(bits - 1))))
        }
        for n in 0..<100_000 {
            comparison.check(Double(n))
            comparison.check(0x1p50 - Double(n))
            comparison.check(0x1p53 - Double(n))
        }
        #expect(comparison.mismatches.isEmpty, "\(comparison.report)")
    }

    @Test func valuesAroundTheExponentSwitchesRangeEndsAndPowersOfTenMatchTheStandardLibrary() {
        var comparison = Comparison()
        var edges: [Double] = [1e-4, 1e-3, 0x1p50, 0x1p53, 0x1p54]
        for n in -6...17 { edges.append(Double("1e\(n)")!) }
        for n in -12...56 { edges.append(Double(sign: .plus, exponent: n, significand: 1)) }
        for edge in edges {
            var up = edge, down = edge
            for _ in 0..<2_000 {
                comparison.checkBothSigns(up)
                comparison.checkBothSigns(down)
                up = up.nextUp
                down = down.nextDown
            }
        }
        // Short decimals on both sides of each power of ten, at every place count.
        for n in -4...16 {
            for places in 0...15 {
                let step = 1 / Self.powersOfTen[places]
                let edge = Double("1e\(n)")!
                for j in -50...50 { comparison.checkBothSigns(edge + Double(j) * step) }
            }
        }
        #expect(comparison.mismatches.isEmpty, "\(comparison.report)")
    }

    @Test func decimalsWithManyPlacesMatchTheStandardLibrary() {
        // 7–15 places and up to 16 digits: near the edge of what K places and 2^50 allow.
        var rng = SplitMix64(seed: 0xF7)
        var comparison = Comparison()
        for _ in 0..<500_000 {
            let places = rng.int(7...15)
            let digits = rng.int(1...16)
            let mantissa = Int64.random(in: 0..<Int64(Self.powersOfTen[digits]), using: &rng)
            comparison.checkBothSigns(Double(mantissa) / Self.powersOfTen[places])
        }
        #expect(comparison.mismatches.isEmpty, "\(comparison.report)")
        #expect(comparison.taken > 0)
    }
}
