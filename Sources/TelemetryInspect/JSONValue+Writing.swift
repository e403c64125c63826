package import TelemetryCore

extension JSONValue {
    /// Writes this value with `writer` (the one JSON output rule), members in their order.
    /// An integral number literal is written as an integer, any other as a float (so it keeps
    /// a decimal point or exponent).
    package func write(to writer: inout JSONWriter) {
        switch self {
        case .object(let members):
            writer.beginObject()
            for m in members {
                writer.key(m.key)
                m.value.write(to: &writer)
            }
            writer.endObject()
        case .array(let items):
            writer.beginArray()
            for item in items { item.write(to: &writer) }
            writer.endArray()
        case .string(let s): writer.string(s)
        case .number(let literal):
            if let n = Int64(integralNumberText: literal), !literal.contains("."), !literal.lowercased().contains("e") {
                writer.integer(n)
            } else {
                writer.float(Double(literal) ?? .nan)
            }
        case .bool(let b): writer.bool(b)
        case .null: writer.null()
        }
    }
}
