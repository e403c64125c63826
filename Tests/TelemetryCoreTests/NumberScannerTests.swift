import Testing
@testable import TelemetryCore

@Suite struct NumberScannerTests {
    /// Scans `text` as a JSON number; also returns how many bytes were consumed.
    static func scan(_ text: String) -> (NumberScanner.Result, consumed: Int, length: Int) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { b in
            var i = 0
            let r = NumberScanner.scanJSON(b, at: &i)
            return (r, i, b.count)
        }
    }

    static func value(_ text: String) -> NumberScanner.Result {
        Array(text.utf8).withUnsafeBytes { NumberScanner.scanValuePayload($0) }
    }

    /// A random number in JSON's grammar: optional sign, 1–25 integer digits (no leading
    /// zero), an optional fraction of 1–25 digits, an optional exponent within ±330.
    static func randomJSONNumber(_ rng: inout SplitMix64) -> String {
        var s = rng.chance(0.3) ? "-" : ""
        func digits(_ n: Int, _ rng: inout SplitMix64) -> String {
            String((0..<n).map { _ in Character(String(rng.int(0...9))) })
        }
        if rng.chance(0.15) {
            s += "0"
        } else {
            s += String(rng.int(1...9)) + digits(rng.int(0...24), &rng)
        }
        if rng.chance(0.6) {
            // Sometimes long runs of zeros first, to reach tiny magnitudes.
            s += "." + (rng.chance(0.2) ? String(repeating: "0", count: rng.int(1...20)) : "") + digits(rng.int(1...25), &rng)
        }
        if rng.chance(0.6) {
            s += ["e", "E"][rng.int(0...1)] + ["", "+", "-"][rng.int(0...2)] + String(rng.int(0...330))
        }
        return s
    }

    @Test func agreesExactlyWithDoubleParsingForRandomDecimalStrings() {
        var rng = SplitMix64(seed: 42)
        var mismatches: [String] = []
        for _ in 0..<30_000 {
            let text = Self.randomJSONNumber(&rng)
            let expected = Double(text)!
            let (r, consumed, length) = Self.scan(text)
            #expect(consumed == length, "\(text) consumed \(consumed) of \(length)")
            switch r {
            case .number(let v, _):
                if v.bitPattern != expected.bitPattern { mismatches.append("\(text): \(v) vs \(expected)") }
            case .nonFinite:
                if expected.isFinite { mismatches.append("\(text): nonFinite vs \(expected)") }
            case .malformed:
                mismatches.append("\(text): malformed")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(5))")
    }

    /// A random literal of the kind the plain-decimal fast path is for, and just beyond it:
    /// optional sign, 0 or 1–17 integer digits, an optional fraction of 1–17 digits (with
    /// leading zeros sometimes), sometimes an exponent — and sometimes malformed (a leading
    /// zero, a dot without digits) — followed by a JSON delimiter.
    static func randomPlainLiteral(_ rng: inout SplitMix64) -> String {
        func digits(_ n: Int, _ rng: inout SplitMix64) -> String {
            String((0..<n).map { _ in Character(String(rng.int(0...9))) })
        }
        var s = rng.chance(0.3) ? "-" : ""
        s += rng.chance(0.2) ? (rng.chance(0.1) ? "0" + digits(rng.int(1...3), &rng) : "0")
            : String(rng.int(1...9)) + digits(rng.int(0...16), &rng)
        if rng.chance(0.75) {
            s += "." + (rng.chance(0.2) ? String(repeating: "0", count: rng.int(1...6)) : "")
                + digits(rng.int(rng.chance(0.05) ? 0...0 : 1...17), &rng)
        }
        if rng.chance(0.1) { s += ["e", "E"][rng.int(0...1)] + ["", "+", "-"][rng.int(0...2)] + String(rng.int(0...30)) }
        return s + [",", "}", " ", ""][rng.int(0...3)]
    }

    /// Scans `text` with the fast path (when it takes it) and with the general path.
    static func scanBoth(_ text: String) -> (fast: (NumberScanner.Result, Int)?, general: (NumberScanner.Result, Int)) {
        Array(text.utf8).withUnsafeBytes { b in
            var i = 0
            let fast = NumberScanner.scanPlainDecimal(b, at: &i).map { ($0, i) }
            var j = 0
            let general = NumberScanner.scanJSONGeneral(b, at: &j)
            return (fast, (general, j))
        }
    }

    static func sameBits(_ a: NumberScanner.Result, _ b: NumberScanner.Result) -> Bool {
        switch (a, b) {
        case let (.number(x, integer: i), .number(y, integer: j)): x.bitPattern == y.bitPattern && i == j
        case (.malformed, .malformed), (.nonFinite, .nonFinite): true
        default: false
        }
    }

    @Test func plainDecimalFastPathEqualsTheGeneralPathBitForBit() {
        var rng = SplitMix64(seed: 7)
        var mismatches: [String] = []
        var taken = 0
        for _ in 0..<100_000 {
            let text = Self.randomPlainLiteral(&rng)
            let (fast, general) = Self.scanBoth(text)
            guard let fast else { continue }
            taken += 1
            if !Self.sameBits(fast.0, general.0) || fast.1 != general.1 {
                mismatches.append("\(text): fast \(fast) vs general \(general)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(5))")
        #expect(taken > 30_000, "the fast path took only \(taken) literals")
    }

    @Test func plainDecimalFastPathIsCorrectlyRounded() {
        var rng = SplitMix64(seed: 11)
        var mismatches: [String] = []
        for _ in 0..<100_000 {
            let text = Self.randomPlainLiteral(&rng)
            let literal = String(text.prefix { $0 != "," && $0 != "}" && $0 != " " })
            guard let (r, _) = Self.scanBoth(text).fast, case .number(let v, _) = r else { continue }
            guard let expected = Double(literal), v.bitPattern == expected.bitPattern else {
                mismatches.append("\(literal): \(v) vs \(String(describing: Double(literal)))")
                continue
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(5))")
    }

    @Test(arguments: ["1234567890123456", "0.1234567890123456", "1.5e3", "1E2", "01", "1.", "-", "-x", "12345678.12345678"])
    func plainDecimalFastPathLeavesToTheGeneralPath(_ text: String) {
        #expect(Self.scanBoth(text).fast == nil)
    }

    @Test(arguments: ["228.7", "21.20", "48475.010", "-0.0", "0", "-17", "999999999999999", "0.00000000000001"])
    func plainDecimalFastPathTakesSensorLiterals(_ text: String) {
        let (fast, general) = Self.scanBoth(text)
        #expect(fast != nil && Self.sameBits(fast!.0, general.0) && fast!.1 == text.utf8.count)
    }

    @Test(arguments: [
        "9007199254740993",            // 2^53 + 1: not representable, rounds to even
        "9007199254740995",
        "2.2250738585072011e-308",     // just below the smallest normal
        "2.2250738585072014e-308",
        "1.7976931348623157e308",      // largest double
        "4.9e-324", "5e-324", "2e-324",// subnormal minimum and rounding to zero
        "0.1", "0.3", "123456789012345678901234567890",
        "1.00000000000000011102230246251565404236316680908203125", // exactly halfway 1 and next
        "1.00000000000000011102230246251565404236316680908203126",
        "7.3177701707893310e15", "1e22", "1e23", "123456789e-22", "1234567890123456789e-30",
        "-0.0", "0e999", "1e-400",
    ])
    func agreesExactlyWithDoubleParsingOnHardCases(text: String) {
        let expected = Double(text)!
        guard case .number(let v, _) = Self.scan(text).0 else {
            Issue.record("\(text) not a number")
            return
        }
        #expect(v.bitPattern == expected.bitPattern, "\(text): \(v) vs \(expected)")
    }

    @Test func integerIsReportedForPlainIntegersThatFitInt64() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<2_000 {
            let n = rng.int64(Int64.min + 1...Int64.max)
            guard case .number(let v, let integer) = Self.scan(String(n)).0 else {
                Issue.record("\(n) not a number")
                continue
            }
            #expect(integer == n)
            #expect(v == Double(String(n))!)
        }
    }

    @Test(arguments: ["1.0", "1e3", "10E0", "99999999999999999999"])
    func integerIsAbsentForFractionsExponentsAndOverflow(text: String) {
        guard case .number(_, let integer) = Self.scan(text).0 else {
            Issue.record("\(text) not a number")
            return
        }
        #expect(integer == nil)
    }

    @Test(arguments: ["01", "-01", "00", "1.", ".5", "-", "1e", "1e+", "1E-", "+1", "", "-.5", "--1", "a", "1.e5", " 1", "e5", "-e5"])
    func malformedJSONNumbersAreRejected(text: String) {
        #expect(Self.scan(text).0 == .malformed)
    }

    @Test func scanStopsAtTheFirstByteAfterTheNumber() {
        let (r, consumed, _) = Self.scan("12.5,\"next\"")
        #expect(r == .number(12.5, integer: nil))
        #expect(consumed == 4)
    }

    @Test(arguments: ["1e999", "-1e999", "1.7976931348623159e308", "123456789e400"])
    func numbersBeyondADoubleAreNonFinite(text: String) {
        #expect(Self.scan(text).0 == .nonFinite)
    }

    @Test func valuePayloadAcceptsSurroundingWhiteSpace() {
        #expect(Self.value(" 42 \n") == .number(42, integer: 42))
        #expect(Self.value("\t-7.25\r\n") == .number(-7.25, integer: nil))
    }

    @Test func valuePayloadAcceptsALeadingPlus() {
        #expect(Self.value("+3.5") == .number(3.5, integer: nil))
    }

    @Test(arguments: ["abc", "", "   ", "4 2", "12abc", "1,5", "+", "++1", "+-1", "0x1A", "01", "--5"])
    func valuePayloadRejectsNonNumbers(text: String) {
        #expect(Self.value(text) == .malformed)
    }

    @Test(arguments: ["NaN", "nan", "inf", "-Infinity", "+Inf", "1e999", " -1e999 "])
    func valuePayloadNaNAndInfinityAreNonFinite(text: String) {
        #expect(Self.value(text) == .nonFinite)
    }
}
