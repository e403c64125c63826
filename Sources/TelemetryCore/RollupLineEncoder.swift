/// Renders rollups as lines of a rollup file, fast: the writer the daemon's file sink uses.
///
/// The bytes are exactly ``RollupEncoder``'s (the one rule for the file format; it delegates
/// here), built without a `String` per field: the window, start and end are formatted once per
/// window and reused for every series of it (rollups come out window by window), strings are
/// escaped straight into the output, and floats go from the standard library's shortest
/// round-trip formatter into the output (``JSONWriter/appendFloat(_:to:)``).
///
/// Threading: a value type; one per writer (it keeps the last window's text).
public struct RollupLineEncoder {
    public let format: RollupFileFormat
    /// The window the cached prefix belongs to (`windowMs`, `startMs`).
    private var cachedWindowMs: Int64 = 0
    private var cachedStartMs: Int64 = .min
    /// `{"window":"10s","start":"…","end":"…",` (jsonl) or `10s,…,…,` (csv).
    private var windowPrefix: [UInt8] = []

    public init(format: RollupFileFormat) {
        self.format = format
        windowPrefix.reserveCapacity(80)
    }

    /// Appends one line (with its `\n`) for `rollup` to `out`.
    public mutating func append(_ rollup: Rollup, to out: inout [UInt8]) {
        let s = rollup.stats
        appendLine(
            window: rollup.window, start: rollup.startMs, end: rollup.endMs, site: rollup.key.site,
            device: rollup.key.device, metric: rollup.key.metric, count: s.count,
            floats: (s.min, s.max, s.sum, s.mean, s.first, s.last, s.stddev), to: &out)
    }

    /// Appends one line (with its `\n`) for `row` to `out`.
    public mutating func append(_ row: RollupRow, to out: inout [UInt8]) {
        appendLine(
            window: row.window, start: row.start, end: row.end, site: row.site, device: row.device,
            metric: row.metric, count: row.count,
            floats: (row.min, row.max, row.sum, row.mean, row.first, row.last, row.stddev), to: &out)
    }

    private mutating func appendLine(
        window: WindowSize, start: Int64, end: Int64, site: String, device: String, metric: String, count: Int64,
        floats f: (Double, Double, Double, Double, Double, Double, Double), to out: inout [UInt8]
    ) {
        if window.milliseconds != cachedWindowMs || start != cachedStartMs || end != start + window.milliseconds {
            buildPrefix(window: window, start: start, end: end)
        }
        out.append(contentsOf: windowPrefix)
        switch format {
        case .jsonl:
            out.append(contentsOf: Self.siteKey)
            JSONWriter.appendString(site, to: &out)
            out.append(contentsOf: Self.deviceKey)
            JSONWriter.appendString(device, to: &out)
            out.append(contentsOf: Self.metricKey)
            JSONWriter.appendString(metric, to: &out)
            out.append(contentsOf: Self.countKey)
            JSONWriter.appendInteger(count, to: &out)
            Self.jsonFloat(Self.minKey, f.0, &out)
            Self.jsonFloat(Self.maxKey, f.1, &out)
            Self.jsonFloat(Self.sumKey, f.2, &out)
            Self.jsonFloat(Self.meanKey, f.3, &out)
            Self.jsonFloat(Self.firstKey, f.4, &out)
            Self.jsonFloat(Self.lastKey, f.5, &out)
            Self.jsonFloat(Self.stddevKey, f.6, &out)
            out.append(0x7D)
        case .csv:
            CSVWriter.appendField(site, to: &out)
            out.append(0x2C)
            CSVWriter.appendField(device, to: &out)
            out.append(0x2C)
            CSVWriter.appendField(metric, to: &out)
            out.append(0x2C)
            JSONWriter.appendInteger(count, to: &out)
            Self.csvFloat(f.0, &out); Self.csvFloat(f.1, &out); Self.csvFloat(f.2, &out); Self.csvFloat(f.3, &out)
            Self.csvFloat(f.4, &out); Self.csvFloat(f.5, &out); Self.csvFloat(f.6, &out)
        }
        out.append(0x0A)
    }

    private mutating func buildPrefix(window: WindowSize, start: Int64, end: Int64) {
        // Only a window's own end is cached (a row read back may carry any end).
        cachedWindowMs = end == start + window.milliseconds ? window.milliseconds : 0
        cachedStartMs = start
        windowPrefix.removeAll(keepingCapacity: true)
        switch format {
        case .jsonl:
            windowPrefix.append(contentsOf: Self.windowKey)
            JSONWriter.appendString(window.name, to: &windowPrefix)
            windowPrefix.append(contentsOf: Self.startKey)
            UTCTimestamp.append(milliseconds: start, to: &windowPrefix)
            windowPrefix.append(contentsOf: Self.endKey)
            UTCTimestamp.append(milliseconds: end, to: &windowPrefix)
            windowPrefix.append(0x22)
        case .csv:
            CSVWriter.appendField(window.name, to: &windowPrefix)
            windowPrefix.append(0x2C)
            UTCTimestamp.append(milliseconds: start, to: &windowPrefix)
            windowPrefix.append(0x2C)
            UTCTimestamp.append(milliseconds: end, to: &windowPrefix)
            windowPrefix.append(0x2C)
        }
    }

    @inline(__always)
    private static func jsonFloat(_ key: [UInt8], _ value: Double, _ out: inout [UInt8]) {
        out.append(contentsOf: key)
        if !JSONWriter.appendFloat(value, to: &out) { out.append(contentsOf: null) }
    }

    @inline(__always)
    private static func csvFloat(_ value: Double, _ out: inout [UInt8]) {
        out.append(0x2C)
        JSONWriter.appendFloat(value, to: &out)
    }

    // The member names in file order (``RollupColumn``), with their punctuation.
    private static let windowKey = Array(#"{"window":"#.utf8)
    private static let startKey = Array(#","start":""#.utf8)
    private static let endKey = Array(#"","end":""#.utf8)
    private static let siteKey = Array(#","site":"#.utf8)
    private static let deviceKey = Array(#","device":"#.utf8)
    private static let metricKey = Array(#","metric":"#.utf8)
    private static let countKey = Array(#","count":"#.utf8)
    private static let minKey = Array(#","min":"#.utf8)
    private static let maxKey = Array(#","max":"#.utf8)
    private static let sumKey = Array(#","sum":"#.utf8)
    private static let meanKey = Array(#","mean":"#.utf8)
    private static let firstKey = Array(#","first":"#.utf8)
    private static let lastKey = Array(#","last":"#.utf8)
    private static let stddevKey = Array(#","stddev":"#.utf8)
    private static let null = Array("null".utf8)
}
