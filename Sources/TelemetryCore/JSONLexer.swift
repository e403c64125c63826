/// A read position in UTF-8 JSON bytes with the steps every JSON reader of telemetryd takes:
/// the one JSON lexer, shared by the payload scanner, the rollup-line reader, the checkpoint
/// reader and `telemetryctl`'s tree builder.
///
/// The low-level steps (`peek`, `skipSpace`, `skipString`, `skipValue`, `readString`, …)
/// report failure as `false`/`nil` and never allocate, for the payload scanner's hot path.
/// The throwing steps (`readObject`, `readStringValue`, `readNumberText`, …) build on them
/// for readers that want a ``JSONParseError`` with the byte offset.
///
/// Strings are decoded into bytes with one rule for lone surrogates (`\ud800` without its
/// pair, or a low surrogate alone): each becomes U+FFFD, and ``readString(appendingTo:)``
/// reports that it happened, so a strict reader (the payload scanner, for tag names) can
/// refuse the text while a lenient one (showing files) keeps it. Invalid UTF-8 is not
/// checked here: payloads are validated first, and readers that build `String`s replace it.
///
/// Threading: a value type over borrowed bytes; valid only while they are.
package struct JSONLexer {
    package let bytes: UnsafeRawBufferPointer
    package var index = 0

    package init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    // The steps the payload scanner takes per byte are always inlined (the optimizer
    // sometimes left `peek` a call of its own: 5 % of the replay thread).
    @inline(__always) package var atEnd: Bool { index >= bytes.count }
    @inline(__always) package var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    @inline(__always) package mutating func advance() { index += 1 }

    @inline(__always)
    package mutating func skipSpace() {
        while index < bytes.count {
            let b = bytes[index]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            index += 1
        }
    }

    /// Skips a string starting at its opening quote; false when unterminated or invalid.
    package mutating func skipString() -> Bool {
        index += 1
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            if b == 0x22 { return true }
            if b == 0x5C {
                guard index < bytes.count else { return false }
                let e = bytes[index]
                index += 1
                if e == 0x75 { guard readHex4() != nil else { return false } }
                else if !(e == 0x22 || e == 0x5C || e == 0x2F || e == 0x62 || e == 0x66
                    || e == 0x6E || e == 0x72 || e == 0x74) { return false }
            } else if b < 0x20 {
                return false
            }
        }
        return false
    }

    /// How a decoded string relates to its JSON text.
    package enum DecodedString: Equatable, Sendable {
        /// Every escape stood for what it decoded to.
        case exact
        /// At least one lone surrogate escape was decoded as U+FFFD.
        case replacedLoneSurrogates
    }

    /// Decodes the string starting at its opening quote and appends its UTF-8 bytes to
    /// `out`; `nil` when it is unterminated, holds a raw control character or a bad escape.
    package mutating func readString(appendingTo out: inout [UInt8]) -> DecodedString? {
        index += 1  // opening quote
        var result = DecodedString.exact
        while index < bytes.count {
            let b = bytes[index]
            index += 1
            switch b {
            case 0x22: return result
            case 0x5C:
                guard index < bytes.count else { return nil }
                let e = bytes[index]
                index += 1
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x6E: out.append(0x0A)
                case 0x72: out.append(0x0D)
                case 0x74: out.append(0x09)
                case 0x75:
                    guard var scalar = readHex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar), let low = peekLowSurrogate() {
                        index += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xD800..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                        result = .replacedLoneSurrogates
                    }
                    Self.appendUTF8(scalar, to: &out)
                default: return nil
                }
            case 0x00..<0x20: return nil
            default: out.append(b)
            }
        }
        return nil
    }

    /// The low surrogate of an escape `\uXXXX` right at the cursor, without moving.
    private func peekLowSurrogate() -> UInt32? {
        guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else { return nil }
        var ahead = self
        ahead.index += 2
        guard let low = ahead.readHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
        return low
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            out.append(UInt8(scalar))
        case ..<0x800:
            out.append(0xC0 | UInt8(scalar >> 6))
            out.append(0x80 | UInt8(scalar & 0x3F))
        case ..<0x10000:
            out.append(0xE0 | UInt8(scalar >> 12))
            out.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            out.append(0x80 | UInt8(scalar & 0x3F))
        default:
            out.append(0xF0 | UInt8(scalar >> 18))
            out.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            out.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            out.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    package mutating func readHex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
            index += 1
        }
        return v
    }

    package mutating func skipWord(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { return false }
        let p = word.utf8Start
        for k in 0..<n where bytes[index + k] != p[k] { return false }
        index += n
        return true
    }

    /// Skips a number in JSON's grammar (its value may be beyond a double); false when
    /// malformed.
    package mutating func skipNumber() -> Bool {
        var i = index
        let r = NumberScanner.scanJSON(bytes, at: &i)
        index = i
        return r != .malformed
    }

    /// Skips any JSON value, nested at most `maxDepth` containers deep counting from `depth`.
    package mutating func skipValue(depth: Int, maxDepth: Int) -> Bool {
        skipSpace()
        guard let b = peek else { return false }
        switch b {
        case 0x22: return skipString()
        case 0x5B: return skipArray(depth: depth + 1, maxDepth: maxDepth)
        case 0x7B:
            guard depth < maxDepth else { return false }
            index += 1
            skipSpace()
            if peek == 0x7D { index += 1; return true }
            while true {
                skipSpace()
                guard peek == 0x22, skipString() else { return false }
                skipSpace()
                guard peek == 0x3A else { return false }
                index += 1
                guard skipValue(depth: depth + 1, maxDepth: maxDepth) else { return false }
                skipSpace()
                if peek == 0x2C { index += 1; continue }
                if peek == 0x7D { index += 1; return true }
                return false
            }
        case 0x74: return skipWord("true")
        case 0x66: return skipWord("false")
        case 0x6E: return skipWord("null")
        default: return skipNumber()
        }
    }

    /// Skips an array starting at `[`.
    package mutating func skipArray(depth: Int, maxDepth: Int) -> Bool {
        guard depth <= maxDepth else { return false }
        index += 1
        skipSpace()
        if peek == 0x5D { index += 1; return true }
        while true {
            guard skipValue(depth: depth, maxDepth: maxDepth) else { return false }
            skipSpace()
            if peek == 0x2C { index += 1; continue }
            if peek == 0x5D { index += 1; return true }
            return false
        }
    }
}
