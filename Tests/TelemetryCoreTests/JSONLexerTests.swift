import Testing
@testable import TelemetryCore

@Suite struct JSONLexerTests {
    /// Decodes the JSON string literal `text` with the lexer.
    static func decode(_ text: String) -> (String, JSONLexer.DecodedString)? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            var lexer = JSONLexer(bytes: raw)
            var out: [UInt8] = []
            guard let result = lexer.readString(appendingTo: &out), lexer.atEnd else { return nil }
            return (String(decoding: out, as: UTF8.self), result)
        }
    }

    @Test func escapesAndSurrogatePairsDecodeExactly() {
        let decoded = Self.decode(#""H\u00e0 N\u1ed9i \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t""#)
        #expect(decoded?.0 == "Hà Nội 😀 \"q\" \\ / \u{8}\u{C}\n\r\t")
        #expect(decoded?.1 == .exact)
    }

    @Test(arguments: [
        (#""a\ud800b""#, "a\u{FFFD}b"), (#""\udc00""#, "\u{FFFD}"), (#""\ud800\u0041""#, "\u{FFFD}A"),
        (#""\ud800\ud83d\ude00""#, "\u{FFFD}😀"), (#""x\ud83d""#, "x\u{FFFD}"),
    ])
    func loneSurrogatesBecomeReplacementCharactersAndAreReported(text: String, decoded: String) {
        let result = Self.decode(text)
        #expect(result?.0 == decoded)
        #expect(result?.1 == .replacedLoneSurrogates)
    }

    @Test(arguments: [#""abc"#, "\"a\u{1}b\"", #""\x""#, #""\u12""#, #""\u12g4""#, #""\"#])
    func malformedStringsAreRefused(text: String) {
        #expect(Self.decode(text) == nil)
    }

    @Test func numberTextIsTheLiteral() {
        let bytes = Array("-12.50e+3,".utf8)
        let text = bytes.withUnsafeBytes { raw -> String? in
            var lexer = JSONLexer(bytes: raw)
            return try? lexer.readNumberText()
        }
        #expect(text == "-12.50e+3")
    }

    @Test func skippingStopsAtTheDepthLimit() {
        func skips(_ depth: Int) -> Bool {
            let bytes = Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
            return bytes.withUnsafeBytes { raw in
                var lexer = JSONLexer(bytes: raw)
                return lexer.skipValue(depth: 0, maxDepth: 8) && lexer.atEnd
            }
        }
        #expect(skips(8))
        #expect(!skips(9))
    }

    @Test func objectMembersComeInOrderAndErrorsCarryTheOffset() {
        let bytes = Array(#"{"b": 1, "a": "x"}"#.utf8)
        var keys: [String] = []
        let complete = bytes.withUnsafeBytes { raw -> Bool in
            var lexer = JSONLexer(bytes: raw)
            do throws(JSONParseError) {
                try lexer.readObject { key, value throws(JSONParseError) in
                    keys.append(key)
                    try value.skipAnyValue()
                }
                try lexer.expectEnd()
                return true
            } catch { return false }
        }
        #expect(complete)
        #expect(keys == ["b", "a"])
        let bad = Array(#"{"b" 1}"#.utf8)
        let error = bad.withUnsafeBytes { raw -> JSONParseError? in
            var lexer = JSONLexer(bytes: raw)
            do throws(JSONParseError) {
                try lexer.readObject { _, value throws(JSONParseError) in try value.skipAnyValue() }
                return nil
            } catch { return error }
        }
        #expect(error == JSONParseError(offset: 5, reason: "expected ':'"))
    }
}
