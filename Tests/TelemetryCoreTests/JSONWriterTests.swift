import Foundation
import Testing
@testable import TelemetryCore

@Suite struct JSONWriterTests {
    static func string(_ s: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func stringsEscapeC0DelC1AndLineSeparatorsAsUnicodeEscapes() {
        #expect(Self.string("a\u{1}b\u{1B}[2J\u{7F}\u{85}\u{9B}\u{9F}\u{2028}\u{2029}")
                == #""a\u0001b\u001b[2J\u007f\u0085\u009b\u009f\u2028\u2029""#)
    }

    @Test func stringsUseTheShortEscapesForQuoteBackslashAndCommonControls() {
        #expect(Self.string("\"\\\n\r\t\u{8}\u{C}/") == #""\"\\\n\r\t\b\f/""#)
    }

    @Test func vietnameseTextEmojiAndNeighboursOfTheEscapedRangesStayUTF8() {
        // U+00A0 (after C1), U+2027 and U+202A (around the separators) are not escaped.
        let text = "Hà Nội Đà Nẵng 😀 \u{A0}\u{2027}\u{202A}"
        #expect(Self.string(text) == "\"" + text + "\"")
    }

    @Test func escapedStringsReadBackWithFoundation() throws {
        let text = "q\"b\\ \u{0}\u{85}\u{2028} Hà Nội 😀"
        let decoded = try JSONSerialization.jsonObject(with: Data(Self.string(text).utf8), options: .fragmentsAllowed)
        #expect(decoded as? String == text)
    }

    @Test func integersIncludeTheExtremes() {
        for n in [Int64.min, -1, 0, 7, Int64.max] {
            var out: [UInt8] = []
            JSONWriter.appendInteger(n, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
        var out: [UInt8] = []
        JSONWriter.appendInteger(UInt64.max, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "18446744073709551615")
    }

    @Test func compactObjectsAndArraysGetTheirCommas() {
        var w = JSONWriter()
        w.beginObject()
        w.key("a"); w.integer(1)
        w.key("b"); w.beginArray(); w.float(1); w.null(); w.bool(true); w.beginObject(); w.endObject(); w.endArray()
        w.key("c"); w.string("x")
        w.endObject()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"a":1,"b":[1.0,null,true,{}],"c":"x"}"#)
    }

    @Test func prettyLayoutIsTheOneFoundationWrote() throws {
        var w = JSONWriter(style: .pretty)
        w.beginObject()
        w.key("a"); w.beginObject(); w.key("x"); w.integer(2); w.key("y"); w.beginObject(); w.endObject(); w.endObject()
        w.key("b"); w.integer(1)
        w.key("e"); w.beginArray(); w.endArray()
        w.key("w"); w.beginArray(); w.string("10s"); w.string("1m"); w.endArray()
        w.endObject()
        let doc: [String: Any] = ["a": ["x": 2, "y": [String: Int]()], "b": 1, "e": [String](), "w": ["10s", "1m"]]
        let foundation = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
        #expect(w.bytes == Array(foundation))
    }
}
