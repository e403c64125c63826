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
    /// The line starts of the last few windows written — `{"window":"10s","start":"…","end":"…"`
    /// (jsonl) or `10s,…,…,` (csv) — by (window length, start): the sizes of a fleet close in
    /// turn, so a handful covers them.
    private var prefixes: [(windowMs: Int64, startMs: Int64, bytes: [UInt8])] = []
    private var nextVictim = 0
    static let cachedPrefixes = 8
    /// The previous float of the current line (its bits, and its text in `lastFloatText`): a
    /// window of one reading has min = max = sum = mean = first = last, formatted once.
    private var lastFloatBits: UInt64?
    private var lastFloatText: [UInt8] = []

    public init(format: RollupFileFormat) {
        self.format = format
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
        appendPrefix(window: window, start: start, end: end, to: &out)
        lastFloatBits = nil
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
            jsonFloat(Self.minKey, f.0, &out)
            jsonFloat(Self.maxKey, f.1, &out)
            jsonFloat(Self.sumKey, f.2, &out)
            jsonFloat(Self.meanKey, f.3, &out)
            jsonFloat(Self.firstKey, f.4, &out)
            jsonFloat(Self.lastKey, f.5, &out)
            jsonFloat(Self.stddevKey, f.6, &out)
            out.append(0x7D)
        case .csv:
            CSVWriter.appendField(site, to: &out)
            out.append(0x2C)
            CSVWriter.appendField(device, to: &out)
            out.append(0x2C)
            CSVWriter.appendField(metric, to: &out)
            out.append(0x2C)
            JSONWriter.appendInteger(count, to: &out)
            csvFloat(f.0, &out); csvFloat(f.1, &out); csvFloat(f.2, &out); csvFloat(f.3, &out)
            csvFloat(f.4, &out); csvFloat(f.5, &out); csvFloat(f.6, &out)
        }
        out.append(0x0A)
    }

    /// Appends the line's start for this window, from the cache when it is there.
    private mutating func appendPrefix(window: WindowSize, start: Int64, end: Int64, to out: inout [UInt8]) {
        let ownEnd = end == start + window.milliseconds
        if ownEnd {
            for p in prefixes where p.windowMs == window.milliseconds && p.startMs == start {
                out.append(contentsOf: p.bytes)
                return
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(72)
        switch format {
        case .jsonl:
            bytes.append(contentsOf: Self.windowKey)
            JSONWriter.appendString(window.name, to: &bytes)
            bytes.append(contentsOf: Self.startKey)
            UTCTimestamp.append(milliseconds: start, to: &bytes)
            bytes.append(contentsOf: Self.endKey)
            UTCTimestamp.append(milliseconds: end, to: &bytes)
            bytes.append(0x22)
        case .csv:
            CSVWriter.appendField(window.name, to: &bytes)
            bytes.append(0x2C)
            UTCTimestamp.append(milliseconds: start, to: &bytes)
            bytes.append(0x2C)
            UTCTimestamp.append(milliseconds: end, to: &bytes)
            bytes.append(0x2C)
        }
        out.append(contentsOf: bytes)
        // Only a window's own end is cached (a row read back may carry any end).
        guard ownEnd else { return }
        if prefixes.count < Self.cachedPrefixes {
            prefixes.append((window.milliseconds, start, bytes))
        } else {
            prefixes[nextVictim] = (window.milliseconds, start, bytes)
            nextVictim = (nextVictim + 1) % Self.cachedPrefixes
        }
    }

    /// Appends `value`'s text, copying the previous float's when it is the same number;
    /// false (nothing appended) when it is not finite.
    @inline(__always)
    private mutating func appendFloat(_ value: Double, _ out: inout [UInt8]) -> Bool {
        if value.bitPattern == lastFloatBits {
            out.append(contentsOf: lastFloatText)
            return true
        }
        lastFloatText.removeAll(keepingCapacity: true)
        guard JSONWriter.appendFloat(value, to: &lastFloatText) else {
            lastFloatBits = nil
            return false
        }
        out.append(contentsOf: lastFloatText)
        lastFloatBits = value.bitPattern
        return true
    }

    @inline(__always)
    private mutating func jsonFloat(_ key: [UInt8], _ value: Double, _ out: inout [UInt8]) {
        out.append(contentsOf: key)
        if !appendFloat(value, &out) { out.append(contentsOf: Self.null) }
    }

    @inline(__always)
    private mutating func csvFloat(_ value: Double, _ out: inout [UInt8]) {
        out.append(0x2C)
        _ = appendFloat(value, &out)
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
