/// RFC 4180 CSV: quoting fields for output and splitting a record into fields for input.
///
/// A field is quoted when it contains a comma, a double quote, a space, or any control
/// character (including CR/LF); quotes inside are doubled. This matches what the daemon writes,
/// so a row read from a `.csv` rollup and written back is byte-identical.
///
/// Threading: stateless; safe from any thread.
public enum CSVText {
    /// `value` as one CSV field, quoted when needed.
    public static func field(_ value: String) -> String {
        let needsQuotes = value.unicodeScalars.contains { s in
            s == "," || s == "\"" || s == " " || s.value < 0x20 || (0x7F...0x9F).contains(s.value)
        }
        guard needsQuotes else { return value }
        return "\"" + value.replacingAll("\"", with: "\"\"") + "\""
    }

    /// `fields` joined into one CSV record (without the line terminator).
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// Splits one CSV record (without its final line terminator) into fields.
    ///
    /// Returns `nil` when the record is not valid RFC 4180: an unterminated quoted field, or
    /// text between a closing quote and the next comma.
    public static func split(_ record: some Collection<UInt8>) -> [String]? {
        var fields: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var afterClosingQuote = false
        var fieldStart = true
        var iterator = record.makeIterator()
        var pending: UInt8? = iterator.next()
        while let b = pending {
            pending = iterator.next()
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if pending == UInt8(ascii: "\"") {
                        current.append(b)
                        pending = iterator.next()
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    current.append(b)
                }
                continue
            }
            switch b {
            case UInt8(ascii: ","):
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
                afterClosingQuote = false
                fieldStart = true
                continue
            case UInt8(ascii: "\"") where fieldStart:
                inQuotes = true
            default:
                if afterClosingQuote { return nil }
                current.append(b)
            }
            fieldStart = false
        }
        if inQuotes { return nil }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (Foundation-free).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for ch in self {
            if ch == target { out += replacement } else { out.append(ch) }
        }
        return out
    }
}
