/// Writes RFC 4180 CSV as UTF-8 bytes: the one CSV quoting rule of telemetryd, used for
/// rollup files and `telemetryctl`'s CSV output.
///
/// A field is quoted when it holds a comma, a double quote, a space or a control character
/// (C0 — including CR and LF —, DEL, or C1 U+0080–U+009F); a quote inside is doubled. Any
/// other field, including non-ASCII text without spaces, is written as it is. Numbers use
/// ``JSONWriter/floatText(_:)``; a non-finite float is an empty field. ``CSVSplitter`` reads
/// the fields back.
///
/// Threading: stateless.
package enum CSVWriter {
    /// Appends `value` as one field, quoted when the rule above says so.
    package static func appendField(_ value: String, to out: inout [UInt8]) {
        let utf8 = value.utf8
        guard needsQuotes(utf8) else { out.append(contentsOf: utf8); return }
        out.append(0x22)
        for b in utf8 {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }

    /// Appends a float field: ``JSONWriter/floatText(_:)``, or nothing when not finite.
    package static func appendFloat(_ value: Double, to out: inout [UInt8]) {
        JSONWriter.appendFloat(value, to: &out)
    }

    /// `fields` as one record, without the line terminator.
    package static func record(_ fields: [String]) -> String {
        var out: [UInt8] = []
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(0x2C) }
            appendField(field, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` as one field (quoted when needed).
    package static func field(_ value: String) -> String {
        var out: [UInt8] = []
        appendField(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsQuotes(_ utf8: String.UTF8View) -> Bool {
        var previous: UInt8 = 0
        for b in utf8 {
            switch b {
            case 0x2C, 0x22, 0x20, 0x00..<0x20, 0x7F: return true
            case 0x80..<0xA0 where previous == 0xC2: return true  // C1
            default: previous = b
            }
        }
        return false
    }
}
