import Testing
@testable import TelemetryCore

/// A float as the JSON writer writes it.
private func floatJSON(_ value: Double) -> String {
    var w = JSONWriter()
    w.float(value)
    return String(decoding: w.bytes, as: UTF8.self)
}

@Suite struct FormatWriterTests {
    @Test(arguments: [(230.0, "230.0"), (1e-7, "1e-07"), (35.6, "35.6"), (-0.5, "-0.5"), (1e21, "1e+21")])
    func floatsAlwaysHaveADecimalPointOrExponent(value: Double, text: String) {
        #expect(JSONWriter.floatText(value) == text)
    }

    @Test func nonFiniteFloatsBecomeNull() {
        #expect(floatJSON(.nan) == "null")
        #expect(floatJSON(.infinity) == "null")
    }

    @Test func csvQuotesFieldsWithCommaQuoteOrSpace() {
        #expect(CSVWriter.field("hanoi") == "hanoi")
        #expect(CSVWriter.field("Hà Nội") == "\"Hà Nội\"")
        #expect(CSVWriter.field("a,b") == "\"a,b\"")
        #expect(CSVWriter.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.field("") == "")
    }

    @Test func csvSplitRejectsUnterminatedQuote() {
        #expect(CSVSplitter.split(Array("a,\"b".utf8)) == nil)
        #expect(CSVSplitter.split(Array("a,\"b\"c".utf8)) == nil)
    }
}
