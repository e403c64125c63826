/// The throwing reading steps of ``JSONLexer``, for readers that are not on the hot path:
/// each either consumes one well-formed piece of JSON or throws a ``JSONParseError`` at the
/// offset where it went wrong.
extension JSONLexer {
    /// An error at the current position.
    package func failure(_ reason: String) -> JSONParseError {
        JSONParseError(offset: index, reason: reason)
    }

    /// Skips white space and requires the end of the input.
    package mutating func expectEnd() throws(JSONParseError) {
        skipSpace()
        guard atEnd else { throw failure("unexpected text after the value") }
    }

    /// Reads the object at the cursor (after white space), calling `member` with each name
    /// and the lexer positioned at the value, which `member` must consume.
    package mutating func readObject(
        _ member: (String, inout JSONLexer) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        try readItems(open: 0x7B, close: 0x7D, kind: "an object") { lexer throws(JSONParseError) in
            guard lexer.peek == 0x22 else { throw lexer.failure("expected a member name") }
            let name = try lexer.readStringValue()
            lexer.skipSpace()
            guard lexer.peek == 0x3A else { throw lexer.failure("expected ':'") }
            lexer.index += 1
            lexer.skipSpace()
            try member(name, &lexer)
        }
    }

    /// Reads the array at the cursor (after white space), calling `element` with the lexer
    /// positioned at each element, which `element` must consume.
    package mutating func readArray(_ element: (inout JSONLexer) throws(JSONParseError) -> Void) throws(JSONParseError) {
        try readItems(open: 0x5B, close: 0x5D, kind: "an array", element)
    }

    /// The container from `open` to `close`, with `item` reading each comma-separated item.
    private mutating func readItems(
        open: UInt8, close: UInt8, kind: String, _ item: (inout JSONLexer) throws(JSONParseError) -> Void
    ) throws(JSONParseError) {
        skipSpace()
        guard peek == open else { throw failure(atEnd ? "unexpected end of input" : "expected \(kind)") }
        index += 1
        skipSpace()
        if peek == close { index += 1; return }
        while true {
            skipSpace()
            try item(&self)
            skipSpace()
            switch peek {
            case 0x2C: index += 1
            case close: index += 1; return
            case nil: throw failure("unexpected end of input")
            default: throw failure("expected ',' or '\(Unicode.Scalar(close))'")
            }
        }
    }

    /// Reads the string at the cursor as text (lone surrogates and invalid UTF-8 become
    /// U+FFFD).
    package mutating func readStringValue() throws(JSONParseError) -> String {
        guard peek == 0x22 else { throw failure(atEnd ? "unexpected end of input" : "expected a string") }
        var out: [UInt8] = []
        guard readString(appendingTo: &out) != nil else {
            if atEnd { throw failure("unterminated string") }
            index -= 1
            throw failure("control character or invalid escape in string")
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads the number at the cursor and returns its literal text (e.g. `12`, `230.0`,
    /// `1e-05`), which is valid JSON number grammar.
    package mutating func readNumberText() throws(JSONParseError) -> String {
        let start = index
        guard let b = peek, b == 0x2D || b &- 0x30 <= 9, skipNumber() else {
            index = start
            throw failure(atEnd ? "unexpected end of input" : "expected a number")
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// Reads `true`, `false` or `null` (whichever `word` is) or throws.
    package mutating func readWord(_ word: StaticString) throws(JSONParseError) {
        guard skipWord(word) else { throw failure(atEnd ? "unexpected end of input" : "invalid literal") }
    }

    /// Skips the value at the cursor, nested at most `maxDepth` containers deep.
    package mutating func skipAnyValue(maxDepth: Int = 64) throws(JSONParseError) {
        let start = index
        guard skipValue(depth: 0, maxDepth: maxDepth) else {
            index = start
            throw failure("invalid value")
        }
    }
}
