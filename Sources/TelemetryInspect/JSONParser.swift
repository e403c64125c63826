package import TelemetryCore

/// Builds ``JSONValue`` trees (members in file order, numbers as literal text) with the shared
/// ``JSONLexer``; used to show `status.json` as the daemon wrote it.
///
/// Strict RFC 8259, except that invalid UTF-8 and lone surrogate escapes inside strings
/// become U+FFFD rather than errors (showing odd text is more useful than refusing the file).
/// Nesting deeper than ``maximumDepth`` is rejected so hostile input cannot exhaust the stack.
///
/// Threading: stateless; safe from any thread.
package enum JSONParser {
    /// The deepest nesting of arrays/objects accepted.
    package static let maximumDepth = 64

    /// Parses a complete JSON text (surrounding whitespace allowed).
    package static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, JSONParseError> = copy.withUTF8 { buffer in
            do throws(JSONParseError) {
                return .success(try parse(bytes: buffer))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a complete JSON text from UTF-8 bytes (surrounding whitespace allowed).
    package static func parse(bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var lexer = JSONLexer(bytes: UnsafeRawBufferPointer(bytes))
        lexer.skipSpace()
        let value = try value(&lexer, depth: 0)
        try lexer.expectEnd()
        return value
    }

    private static func value(_ lexer: inout JSONLexer, depth: Int) throws(JSONParseError) -> JSONValue {
        switch lexer.peek {
        case UInt8(ascii: "{"):
            guard depth < maximumDepth else { throw lexer.failure("nested too deeply") }
            var members: [JSONMember] = []
            try lexer.readObject { key, v throws(JSONParseError) in
                members.append(JSONMember(key: key, value: try value(&v, depth: depth + 1)))
            }
            return .object(members)
        case UInt8(ascii: "["):
            guard depth < maximumDepth else { throw lexer.failure("nested too deeply") }
            var items: [JSONValue] = []
            try lexer.readArray { v throws(JSONParseError) in items.append(try value(&v, depth: depth + 1)) }
            return .array(items)
        case UInt8(ascii: "\""): return .string(try lexer.readStringValue())
        case UInt8(ascii: "t"): try lexer.readWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try lexer.readWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try lexer.readWord("null"); return .null
        case nil: throw lexer.failure("unexpected end of input")
        default: return .number(try lexer.readNumberText())
        }
    }
}
