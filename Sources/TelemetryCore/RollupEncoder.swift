/// Renders rollups as the lines of a rollup file.
///
/// Every floating-point value is written in the shortest form that reads back to the same
/// double and always carries a decimal point or an exponent (`230.0`, never `230`), so
/// DuckDB and pandas type the columns as floating point from the first row. A non-finite
/// value (only possible if sums overflow) is written as `null` (JSON) or empty (CSV).
///
/// Threading: stateless.
public enum RollupEncoder {
    /// Appends one line (with its `\n`) for `rollup` in `format` to `out`.
    public static func append(_ rollup: Rollup, format: RollupFileFormat, to out: inout [UInt8]) {
        switch format {
        case .jsonl: appendJSON(rollup, to: &out)
        case .csv: appendCSV(rollup, to: &out)
        }
    }

    /// The header line of a CSV file (with its `\n`).
    public static let csvHeader: [UInt8] = Array((RollupFileFormat.columns.joined(separator: ",") + "\n").utf8)

    static func appendJSON(_ r: Rollup, to out: inout [UInt8]) {
        let s = r.stats
        out.append(contentsOf: #"{"window":"#.utf8); appendJSONString(r.window.name, to: &out)
        out.append(contentsOf: #","start":""#.utf8); out.append(contentsOf: UTCTimestamp.format(milliseconds: r.startMs).utf8)
        out.append(contentsOf: #"","end":""#.utf8); out.append(contentsOf: UTCTimestamp.format(milliseconds: r.endMs).utf8)
        out.append(contentsOf: #"","site":"#.utf8); appendJSONString(r.key.site, to: &out)
        out.append(contentsOf: #","device":"#.utf8); appendJSONString(r.key.device, to: &out)
        out.append(contentsOf: #","metric":"#.utf8); appendJSONString(r.key.metric, to: &out)
        out.append(contentsOf: #","count":"#.utf8); out.append(contentsOf: String(s.count).utf8)
        for (name, v) in [("min", s.min), ("max", s.max), ("sum", s.sum), ("mean", s.mean),
                          ("first", s.first), ("last", s.last), ("stddev", s.stddev)] {
            out.append(contentsOf: #",""#.utf8); out.append(contentsOf: name.utf8); out.append(contentsOf: #"":"#.utf8)
            appendFloat(v, null: "null", to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
    }

    static func appendCSV(_ r: Rollup, to out: inout [UInt8]) {
        let s = r.stats
        appendCSVField(r.window.name, to: &out); out.append(0x2C)
        out.append(contentsOf: UTCTimestamp.format(milliseconds: r.startMs).utf8); out.append(0x2C)
        out.append(contentsOf: UTCTimestamp.format(milliseconds: r.endMs).utf8); out.append(0x2C)
        appendCSVField(r.key.site, to: &out); out.append(0x2C)
        appendCSVField(r.key.device, to: &out); out.append(0x2C)
        appendCSVField(r.key.metric, to: &out); out.append(0x2C)
        out.append(contentsOf: String(s.count).utf8)
        for v in [s.min, s.max, s.sum, s.mean, s.first, s.last, s.stddev] {
            out.append(0x2C)
            appendFloat(v, null: "", to: &out)
        }
        out.append(0x0A)
    }

    /// Shortest round-trip text of `v` with a decimal point or exponent.
    public static func floatText(_ v: Double) -> String? {
        guard v.isFinite else { return nil }
        var t = v.description  // Swift prints 230.0, 1e-05, 1.5e+20: always with . or e
        if !t.contains(".") && !t.contains("e") { t += ".0" }
        return t
    }

    static func appendFloat(_ v: Double, null: String, to out: inout [UInt8]) {
        out.append(contentsOf: (floatText(v) ?? null).utf8)
    }

    /// Appends `s` as a JSON string literal, escaping quotes, backslashes and controls.
    public static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(contentsOf: #"\""#.utf8)
            case 0x5C: out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }

    /// Appends `s` as a CSV field, quoted (RFC 4180) when it holds a comma, quote, space or newline.
    public static func appendCSVField(_ s: String, to out: inout [UInt8]) {
        let needsQuotes = s.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { out.append(contentsOf: s.utf8); return }
        out.append(0x22)
        for b in s.utf8 {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }
}
