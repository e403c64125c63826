/// Encoding of strings and numbers as JSON text, for `--format json` output.
///
/// Strings are escaped per RFC 8259; in addition every C0/C1 control character, DEL and the
/// Unicode line/paragraph separators are written as `\uXXXX`, so JSON output can be shown on a
/// terminal without any raw control sequence reaching it. Other non-ASCII characters (e.g.
/// Vietnamese `Hà Nội`) are written as UTF-8.
///
/// Floating-point numbers always carry a decimal point or an exponent (`230.0`, `1e-05`), the
/// same convention the daemon uses, so a consumer can tell floats from integers. Non-finite
/// values (which JSON cannot represent) are written as `null`.
///
/// Threading: stateless; safe from any thread.
public enum JSONText {
    /// `value` as a quoted, escaped JSON string.
    public static func string(_ value: String) -> String {
        // Fast path: nothing to escape (no control byte, quote, backslash, and no lead byte of
        // C1 controls (C2) or of U+2028/U+2029 (E2)).
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) {
            return "\"" + value + "\""
        }
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                let v = scalar.value
                if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                    out += "\\u" + hex4(v)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }

    /// A float as JSON: shortest round-tripping text with a decimal point or exponent;
    /// `null` when not finite.
    public static func float(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let text = "\(value)"
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return text }
        return text + ".0"
    }

    static func hex4(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 12 & 0xF)], digits[Int(v >> 8 & 0xF)],
                       digits[Int(v >> 4 & 0xF)], digits[Int(v & 0xF)]])
    }
}
