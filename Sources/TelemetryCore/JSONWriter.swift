/// Writes JSON text as UTF-8 bytes: the one JSON output rule of telemetryd, used for rollup
/// lines, dead letters, `status.json`, the checkpoint and `telemetryctl`'s JSON output.
///
/// - Strings: `"` and `\` are escaped, `\n` `\r` `\t` `\b` `\f` get their short escapes, and
///   every other C0 control, DEL, C1 control (U+0080–U+009F) and U+2028/U+2029 is written as
///   `\uXXXX` (lowercase hex), so the output never carries a raw control sequence to a
///   terminal or a line break to a JSON Lines reader. Everything else — Vietnamese text,
///   emoji — is written as UTF-8; `/` is not escaped.
/// - Floats: the shortest text that reads back to the same double, always with a decimal
///   point or an exponent (`230.0`, `1e-05`), so readers type them as floating point; `null`
///   when not finite (JSON has no infinity).
/// - Integers: decimal digits.
/// - Objects and arrays: `beginObject`/`key`/`endObject` and `beginArray`/`endArray`; the
///   writer puts the commas. In ``Style/pretty`` it indents by two spaces and writes
///   `"key" : value`, the layout `status.json` has always had (an empty container is
///   `{`, a blank line, `}`).
///
/// Invariants: the caller balances every `begin` with its `end`, writes exactly one value
/// after each `key`, and nests at most 64 containers deep.
/// Threading: a value type; use an instance from one thread.
package struct JSONWriter {
    /// Compact (no white space at all) or indented.
    package enum Style: Sendable {
        case compact, pretty
    }

    /// The text written so far.
    package var bytes: [UInt8]
    package let style: Style
    /// Open containers.
    private var depth = 0
    /// Bit `d` is set once the container at depth `d` (1-based) holds an item.
    private var hasItems: UInt64 = 0
    /// A key was just written; the next value follows it without a separator.
    private var afterKey = false

    package init(style: Style = .compact, reservingCapacity capacity: Int = 0) {
        self.style = style
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes one JSON text at the end of `out` (compact), e.g. one line of a file.
    package static func append(to out: inout [UInt8], _ body: (inout JSONWriter) -> Void) {
        var writer = JSONWriter()
        swap(&writer.bytes, &out)
        body(&writer)
        swap(&writer.bytes, &out)
    }

    // MARK: containers

    package mutating func beginObject() { open(0x7B) }
    package mutating func endObject() { close(0x7D) }
    package mutating func beginArray() { open(0x5B) }
    package mutating func endArray() { close(0x5D) }

    /// Writes a member name; the next call writes its value.
    package mutating func key(_ name: String) {
        precondition(depth > 0 && !afterKey, "a key belongs in an object, before its value")
        separate()
        Self.appendString(name, to: &bytes)
        if style == .pretty { bytes.append(contentsOf: [0x20, 0x3A, 0x20]) } else { bytes.append(0x3A) }
        afterKey = true
    }

    // MARK: values

    package mutating func string(_ value: String) {
        beforeValue()
        Self.appendString(value, to: &bytes)
    }

    package mutating func integer(_ value: some BinaryInteger) {
        beforeValue()
        Self.appendInteger(value, to: &bytes)
    }

    /// A float (``floatText(_:)``), or `null` when not finite.
    package mutating func float(_ value: Double) {
        beforeValue()
        if !Self.appendFloat(value, to: &bytes) { bytes.append(contentsOf: "null".utf8) }
    }

    package mutating func bool(_ value: Bool) {
        beforeValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    package mutating func null() {
        beforeValue()
        bytes.append(contentsOf: "null".utf8)
    }

    // MARK: the rules

    /// The shortest text that reads back to exactly `value`, with a decimal point or an
    /// exponent (`230.0`, `1e-05`, `1.5e+20`); `nil` when `value` is not finite.
    package static func floatText(_ value: Double) -> String? {
        var bytes: [UInt8] = []
        guard appendFloat(value, to: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``floatText(_:)`` of `value` to `out` without making a `String`; false, and
    /// nothing appended, when `value` is not finite. A short decimal (`228.7`) is written by
    /// ``ShortDecimalFormatter`` with integer arithmetic, anything else by the standard
    /// library's shortest round-trip formatter (``appendFloatByStandardLibrary(_:to:)``): the
    /// same bytes either way.
    @discardableResult
    package static func appendFloat(_ value: Double, to out: inout [UInt8]) -> Bool {
        guard value.isFinite else { return false }
        if ShortDecimalFormatter.append(value, to: &out) { return true }
        appendFloatByStandardLibrary(value, to: &out)
        return true
    }

    /// Appends the standard library's shortest round-trip text of the finite `value`, with
    /// `.0` added when it has neither a point nor an exponent: the general path of
    /// ``appendFloat(_:to:)``, the reference its fast path is tested against.
    static func appendFloatByStandardLibrary(_ value: Double, to out: inout [UInt8]) {
        var sink = ByteSink()
        swap(&sink.bytes, &out)
        let start = sink.bytes.count
        value.write(to: &sink)
        swap(&sink.bytes, &out)
        var i = start
        while i < out.count {
            if out[i] == 0x2E || out[i] == 0x65 { return }
            i += 1
        }
        out.append(0x2E)
        out.append(0x30)
    }

    /// Appends `value` as a quoted JSON string, escaped by the rule above.
    package static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(0x22)
        var value = value
        value.withUTF8 { s in
            let n = s.count
            var run = 0  // start of the bytes not yet copied
            var i = 0
            while i < n {
                let b = s[i]
                let scalar: UInt32
                let length: Int
                switch b {
                case 0x22, 0x5C, 0x00..<0x20, 0x7F:
                    scalar = UInt32(b); length = 1
                case 0xC2 where i + 1 < n && s[i + 1] < 0xA0:  // C1: U+0080–U+009F
                    scalar = UInt32(s[i + 1]); length = 2
                case 0xE2 where i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9):
                    scalar = 0x2000 | UInt32(s[i + 2] & 0x3F); length = 3  // U+2028, U+2029
                default:
                    i += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: s[run..<i]))
                appendEscape(scalar, to: &out)
                i += length
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: s[run..<n]))
        }
        out.append(0x22)
    }

    /// Appends the decimal digits of `value`.
    package static func appendInteger(_ value: some BinaryInteger, to out: inout [UInt8]) {
        if value == 0 { out.append(0x30); return }
        if value < 0 { out.append(0x2D) }
        var rest = value.magnitude
        // Digits are made from the right into a stack buffer (no copy of `out` to reverse in).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var i = digits.count
            while rest > 0 {
                let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
                i -= 1
                digits[i] = 0x30 + UInt8(digit)
                rest = quotient
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
        }
    }

    private static func appendEscape(_ scalar: UInt32, to out: inout [UInt8]) {
        out.append(0x5C)
        switch scalar {
        case 0x22, 0x5C: out.append(UInt8(scalar))
        case 0x0A: out.append(0x6E)  // n
        case 0x0D: out.append(0x72)  // r
        case 0x09: out.append(0x74)  // t
        case 0x08: out.append(0x62)  // b
        case 0x0C: out.append(0x66)  // f
        default:
            let hex: StaticString = "0123456789abcdef"
            out.append(0x75)  // u
            for shift in stride(from: 12, through: 0, by: -4) {
                out.append(hex.utf8Start[Int(scalar >> UInt32(shift) & 0xF)])
            }
        }
    }

    // MARK: layout

    private mutating func open(_ bracket: UInt8) {
        beforeValue()
        bytes.append(bracket)
        depth += 1
        precondition(depth < 64, "JSONWriter nests at most 64 containers")
        hasItems &= ~(1 << UInt64(depth))
    }

    private mutating func close(_ bracket: UInt8) {
        precondition(depth > 0 && !afterKey, "unbalanced end of a JSON container")
        let hadItems = hasItems & (1 << UInt64(depth)) != 0
        depth -= 1
        if style == .pretty {
            bytes.append(0x0A)
            if !hadItems { bytes.append(0x0A) }
            indent()
        }
        bytes.append(bracket)
    }

    /// Before a value: nothing after a key; a separator inside an array.
    private mutating func beforeValue() {
        if afterKey { afterKey = false; return }
        if depth > 0 { separate() }
    }

    /// A comma after the container's previous item, then (pretty) a new indented line.
    private mutating func separate() {
        let bit: UInt64 = 1 << UInt64(depth)
        if hasItems & bit != 0 { bytes.append(0x2C) }
        hasItems |= bit
        if style == .pretty {
            bytes.append(0x0A)
            indent()
        }
    }

    private mutating func indent() {
        bytes.append(contentsOf: repeatElement(0x20, count: 2 * depth))
    }
}

/// A `TextOutputStream` over a byte array: what `Double.write(to:)` formats into, as ASCII
/// bytes, with no `String` in between.
struct ByteSink: TextOutputStream {
    var bytes: [UInt8] = []

    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}
