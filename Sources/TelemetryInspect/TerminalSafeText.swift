/// Making untrusted text (tag values from devices, unknown status fields) safe to print on a
/// terminal, and measuring it for column alignment.
///
/// ``sanitize(_:)`` replaces every character that could move the cursor, change colours or
/// otherwise drive the terminal — C0 controls (U+0000–U+001F, including ESC, CR, LF, TAB),
/// DEL (U+007F), C1 controls (U+0080–U+009F, including the 8-bit CSI), the line/paragraph
/// separators U+2028/U+2029 and the bidirectional overrides/isolates (U+202A–U+202E,
/// U+2066–U+2069, which can make text display in a misleading order) — with a visible
/// escape like `\u{1B}`. All other Unicode, such as Vietnamese `Hà Nội`, passes through.
///
/// Threading: stateless; safe from any thread.
package enum TerminalSafeText {
    /// `text` with every terminal-controlling character replaced by `\u{XX}`.
    package static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// One output line in `format`, made safe for a terminal without leaving its format. In
    /// JSON Lines every unsafe scalar becomes the JSON escape `\uXXXX` (they are all in the
    /// BMP, and only occur inside strings), so a JSON reader still gets the very same values;
    /// the writer already escapes C0, DEL, C1 and U+2028/U+2029, which leaves the bidi
    /// controls. CSV and tables get ``sanitize(_:)``'s visible `\u{XX}`. For output to a
    /// terminal only: through a pipe or into a file, lines stay byte for byte the file's.
    package static func forTerminal(_ line: String, format: OutputFormat) -> String {
        guard format == .json else { return sanitize(line) }
        guard line.unicodeScalars.contains(where: isUnsafe) else { return line }
        var out = ""
        out.reserveCapacity(line.utf8.count + 12)
        for scalar in line.unicodeScalars {
            if isUnsafe(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether `scalar` must not reach a terminal raw.
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// How many terminal columns `text` occupies (already sanitised text assumed): one per
    /// character (grapheme cluster, so combining accents add nothing), two for East Asian
    /// wide/full-width characters and emoji.
    package static func displayWidth(_ text: String) -> Int {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        var width = 0
        for ch in text {
            guard let first = ch.unicodeScalars.first else { continue }
            width += isWide(first.value) ? 2 : (isZeroWidth(first.value) ? 0 : 1)
        }
        return width
    }

    /// `text` padded with spaces to `width` columns (on the left when `alignRight`).
    package static func pad(_ text: String, to width: Int, alignRight: Bool = false) -> String {
        let missing = width - displayWidth(text)
        guard missing > 0 else { return text }
        let spaces = String(repeating: " ", count: missing)
        return alignRight ? spaces + text : text + spaces
    }

    private static func isZeroWidth(_ v: UInt32) -> Bool {
        (0x200B...0x200F).contains(v) || (0x0300...0x036F).contains(v) || v == 0xFEFF
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }
}
