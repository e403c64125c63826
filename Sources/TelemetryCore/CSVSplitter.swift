/// Splits one RFC 4180 CSV record into its fields: the reading side of ``CSVWriter``.
///
/// Threading: stateless.
package enum CSVSplitter {
    /// The fields of `record` (without its final line terminator); a quoted field may hold
    /// commas, doubled quotes and line breaks.
    ///
    /// Returns `nil` when the record is not valid RFC 4180: an unterminated quoted field, or
    /// text between a closing quote and the next comma.
    package static func split(_ record: some Collection<UInt8>) -> [String]? {
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
