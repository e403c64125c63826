import Testing
import TelemetryCore
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct ColumnNumberFormatTests {
    func shown(_ values: [Double], precision: Int? = nil) -> [String] {
        let format = ColumnNumberFormat.fitted(values, precision: precision)
        return values.map(format.format)
    }

    @Test func aHalfIsNotRoundedAway() {
        #expect(shown([1450.5]) == ["1450.5"])
    }

    @Test func anEnergyCounterKeepsItsDecimals() {
        #expect(shown([33735.352, 33736.388]) == ["33735.352", "33736.388"])
    }

    @Test func oneColumnHasOneNotation() {
        #expect(shown([6_981_000, 150_280]) == ["6981000", "150280"])
    }

    @Test func aColumnHasAsManyDecimalsAsItsMostPreciseValue() {
        #expect(shown([230, 35.6, 0.25]) == ["230.00", "35.60", "0.25"])
    }

    @Test func computedFractionsAreCappedAtSixDecimals() {
        #expect(shown([35.6123456789]) == ["35.612346"])
    }

    @Test func largeComputedValuesKeepTenDigitsInAll() {
        #expect(shown([33735.35234117]) == ["33735.35234"])
    }

    @Test func valuesThatRoundAlikeGetMoreDecimals() {
        #expect(shown([100_000.04, 100_000.01, 1_000_000_000.5]) == ["100000.04", "100000.01", "1000000000.50"])
    }

    @Test func tinyOrHugeValuesPutTheWholeColumnInScientificNotation() {
        #expect(shown([1e-7, 2.5]) == ["1.0e-07", "2.5e+00"])
        #expect(shown([1.2345e20, 1]) == ["1.2345e+20", "1.0000e+00"])
    }

    @Test func precisionFixesTheDecimals() {
        #expect(shown([1450.5, 33735.352, 2], precision: 1) == ["1450.5", "33735.4", "2.0"])
        #expect(shown([1450.5], precision: 0) == ["1451"])
    }

    @Test func nonFiniteValuesShowAsADash() {
        #expect(shown([.nan, 1.5]) == ["-", "1.5"])
    }

    @Test func negativeZeroIsShownAsZero() {
        #expect(shown([-0.0001, 1], precision: 2) == ["0.00", "1.00"])
    }

    @Test func theRollupTableUsesTheColumnFormats() {
        var a = makeRow(metric: "energy", mean: 33735.352)
        a.min = 33735.352; a.max = 33736.388; a.first = 33735.352; a.last = 33736.388
        var b = makeRow(metric: "energy", mean: 1450.5)
        b.min = 1450.5; b.max = 1450.5; b.first = 1450.5; b.last = 1450.5
        let lines = RollupRowFormatter.render([a, b], format: .table)
        #expect(lines[2].contains("33735.352  33736.388"))
        #expect(lines[3].contains("1450.500   1450.500"))
    }

    @Test func csvAndJSONKeepFullPrecision() {
        let row = makeRow(mean: 35.6123456789)
        #expect(RollupRowFormatter.jsonLine(row).contains(#""mean":35.6123456789"#))
        #expect(RollupRowFormatter.csvLine(row).contains(",35.6123456789,"))
    }

    @Test func aSumFloatingPointLeftJustBelowItsValueShowsTheValuesDecimals() {
        let sum = 0.1 + 0.2  // 0.30000000000000004
        #expect(ColumnNumberFormat.fitted([sum, 3256.5]).format(sum) == "0.3")
        #expect(ColumnNumberFormat.fitted([4271.799999999999, 3256.5]).format(4271.799999999999) == "4271.8")
    }
}
