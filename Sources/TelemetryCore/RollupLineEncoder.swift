/// Renders rollups as lines of a rollup file, fast: the writer the daemon's file sink uses.
///
/// The bytes are exactly ``RollupEncoder``'s (the one rule for the file format; it delegates
/// here), built without a `String` per field: the window, start and end are formatted once per
/// window and reused for every series of it (rollups come out window by window), strings are
/// escaped straight into the output, and floats go from the standard library's shortest
/// round-trip formatter into the output (``JSONWriter/appendFloat(_:to:)``).
///
/// After `stddev` come `first_ts`, `last_ts`, `m2`, the percentile columns of `percentiles`
/// (from the rollup's sketch, clamped to min…max) and `sketch` (``RollupColumn``); a rollup
/// without a sketch has none of these in JSON and empty fields in CSV. A row read
/// back writes its own optional fields: in JSON only those it has (and its own percentile
/// columns), in CSV the encoder's columns, empty where the row has no value.
///
/// Threading: a value type; one per writer (it keeps the last window's text).
public struct RollupLineEncoder {
    public let format: RollupFileFormat
    /// The percentile columns (none: no percentiles and no sketch column).
    public let percentiles: [Percentile]
    /// `,"p50":` … for each of `percentiles` (jsonl).
    private let percentileKeys: [[UInt8]]
    /// Reused room for a sketch's varints.
    private var scratch: [UInt8] = []
    /// The line starts of the last few windows written — `{"window":"10s","start":"…","end":"…"`
    /// (jsonl) or `10s,…,…,` (csv) — by (window length, start): the sizes of a fleet close in
    /// turn, so a handful covers them.
    private var prefixes: [(windowMs: Int64, startMs: Int64, bytes: [UInt8])] = []
    private var nextVictim = 0
    static let cachedPrefixes = 8
    /// The previous float of the current line (its bits, and where its text is in the output
    /// being written): a window of one reading has min = max = sum = mean = first = last,
    /// formatted once and copied.
    private var lastFloatBits: UInt64?
    private var lastFloatText: Range<Int> = 0..<0
    /// The site and device of the previous line, and their members' bytes.
    private var lastSite = ""
    private var lastDevice = ""
    private var lastSiteAndDevice: [UInt8] = []
    /// `first_ts` and `last_ts`: the text of their hour, kept (they lie in the row's window).
    private var times = UTCHourTextCache()

    public init(format: RollupFileFormat, percentiles: [Percentile] = Percentile.defaults) {
        self.format = format
        self.percentiles = percentiles
        self.percentileKeys = percentiles.map { Array(#",""#.utf8) + Array($0.name.utf8) + Array(#"":"#.utf8) }
    }

    /// The header line of a CSV file with this encoder's columns (with its `\n`).
    public var csvHeader: [UInt8] {
        Array((RollupColumn.names(percentiles: percentiles).joined(separator: ",") + "\n").utf8)
    }

    /// Appends one line (with its `\n`) for `rollup` to `out`.
    public mutating func append(_ rollup: Rollup, to out: inout [UInt8]) {
        let s = rollup.stats
        appendLine(
            window: rollup.window, start: rollup.startMs, end: rollup.endMs, site: rollup.key.site,
            device: rollup.key.device, metric: rollup.key.metric, count: s.count,
            floats: (s.min, s.max, s.sum, s.mean, s.first, s.last, s.stddev), to: &out)
        appendTimes(s.firstTimeMs, s.lastTimeMs, &out)
        appendOptionalFloat(Self.m2Key, s.m2, &out)
        if !percentiles.isEmpty {
            if !rollup.sketch.isEmpty {
                for (k, p) in percentiles.enumerated() {
                    appendOptionalFloat(k, p.value(of: rollup.sketch, min: s.min, max: s.max), &out)
                }
                appendSketch(rollup.sketch, &out)
            } else if format == .csv {
                // No sketch (a window restored from a checkpoint written before sketches):
                // no percentiles either, as a row read back says.
                out.append(contentsOf: repeatElement(0x2C, count: percentiles.count + 1))
            }
        }
        endLine(&out)
    }

    /// Appends one line (with its `\n`) for `row` to `out`.
    public mutating func append(_ row: RollupRow, to out: inout [UInt8]) {
        appendLine(
            window: row.window, start: row.start, end: row.end, site: row.site, device: row.device,
            metric: row.metric, count: row.count,
            floats: (row.min, row.max, row.sum, row.mean, row.first, row.last, row.stddev), to: &out)
        switch format {
        case .jsonl:
            if let t = row.firstTs { jsonTime(Self.firstTsKey, t, &out) }
            if let t = row.lastTs { jsonTime(Self.lastTsKey, t, &out) }
            if let m2 = row.m2 { jsonFloat(Self.m2Key, m2, &out) }
            for p in row.percentiles {
                Self.put(#",""#, to: &out)
                out.append(contentsOf: p.percentile.name.utf8)
                Self.put(#"":"#, to: &out)
                if !appendFloat(p.value, &out) { Self.put(Self.null, to: &out) }
            }
            if let sketch = row.sketch { appendSketch(sketch, &out) }
        case .csv:
            out.append(0x2C)
            if let t = row.firstTs { times.append(milliseconds: t, to: &out) }
            out.append(0x2C)
            if let t = row.lastTs { times.append(milliseconds: t, to: &out) }
            out.append(0x2C)
            if let m2 = row.m2 { _ = appendFloat(m2, &out) }
            if !percentiles.isEmpty {
                for p in percentiles {
                    out.append(0x2C)
                    if let v = row.percentiles.first(where: { $0.percentile == p }) { _ = appendFloat(v.value, &out) }
                }
                out.append(0x2C)
                if let sketch = row.sketch { sketch.appendText(to: &out, scratch: &scratch) }
            }
        }
        endLine(&out)
    }

    /// Appends `first_ts` and `last_ts`.
    private mutating func appendTimes(_ first: Int64, _ last: Int64, _ out: inout [UInt8]) {
        switch format {
        case .jsonl:
            jsonTime(Self.firstTsKey, first, &out)
            jsonTime(Self.lastTsKey, last, &out)
        case .csv:
            out.append(0x2C)
            times.append(milliseconds: first, to: &out)
            out.append(0x2C)
            times.append(milliseconds: last, to: &out)
        }
    }

    @inline(__always)
    private mutating func jsonTime(_ key: StaticString, _ ms: Int64, _ out: inout [UInt8]) {
        Self.put(key, to: &out)
        times.append(milliseconds: ms, to: &out)
        out.append(0x22)
    }

    /// Appends a float column: `null` (jsonl) or empty (csv) when nil or not finite.
    @inline(__always)
    private mutating func appendOptionalFloat(_ key: StaticString, _ value: Double?, _ out: inout [UInt8]) {
        switch format {
        case .jsonl:
            Self.put(key, to: &out)
            if let value, appendFloat(value, &out) {} else { Self.put(Self.null, to: &out) }
        case .csv:
            out.append(0x2C)
            if let value { _ = appendFloat(value, &out) }
        }
    }

    /// Appends percentile column `k`.
    @inline(__always)
    private mutating func appendOptionalFloat(_ k: Int, _ value: Double?, _ out: inout [UInt8]) {
        switch format {
        case .jsonl:
            percentileKeys[k].withUnsafeBufferPointer { out.append(contentsOf: $0) }
            if let value, appendFloat(value, &out) {} else { Self.put(Self.null, to: &out) }
        case .csv:
            out.append(0x2C)
            if let value { _ = appendFloat(value, &out) }
        }
    }

    /// Appends the `sketch` column.
    private mutating func appendSketch(_ sketch: QuantileSketch, _ out: inout [UInt8]) {
        switch format {
        case .jsonl:
            Self.put(Self.sketchKey, to: &out)
            sketch.appendText(to: &out, scratch: &scratch)
            out.append(0x22)
        case .csv:
            out.append(0x2C)
            sketch.appendText(to: &out, scratch: &scratch)
        }
    }

    @inline(__always)
    private func endLine(_ out: inout [UInt8]) {
        if format == .jsonl { out.append(0x7D) }
        out.append(0x0A)
    }

    private mutating func appendLine(
        window: WindowSize, start: Int64, end: Int64, site: String, device: String, metric: String, count: Int64,
        floats f: (Double, Double, Double, Double, Double, Double, Double), to out: inout [UInt8]
    ) {
        appendPrefix(window: window, start: start, end: end, to: &out)
        lastFloatBits = nil
        switch format {
        case .jsonl:
            appendSiteAndDevice(site, device, &out)
            Self.put(Self.metricKey, to: &out)
            JSONWriter.appendString(metric, to: &out)
            Self.put(Self.countKey, to: &out)
            JSONWriter.appendInteger(count, to: &out)
            jsonFloat(Self.minKey, f.0, &out)
            jsonFloat(Self.maxKey, f.1, &out)
            jsonFloat(Self.sumKey, f.2, &out)
            jsonFloat(Self.meanKey, f.3, &out)
            jsonFloat(Self.firstKey, f.4, &out)
            jsonFloat(Self.lastKey, f.5, &out)
            jsonFloat(Self.stddevKey, f.6, &out)
        case .csv:
            appendSiteAndDevice(site, device, &out)
            CSVWriter.appendField(metric, to: &out)
            out.append(0x2C)
            JSONWriter.appendInteger(count, to: &out)
            csvFloat(f.0, &out); csvFloat(f.1, &out); csvFloat(f.2, &out); csvFloat(f.3, &out)
            csvFloat(f.4, &out); csvFloat(f.5, &out); csvFloat(f.6, &out)
        }
    }

    /// Appends the site and device members (jsonl: `,"site":"…","device":"…"`; csv: `…,…,`),
    /// copied from the previous line's when they are the same: a device's series close
    /// together, so consecutive lines mostly share them.
    @inline(__always)
    private mutating func appendSiteAndDevice(_ site: String, _ device: String, _ out: inout [UInt8]) {
        if site != lastSite || device != lastDevice || lastSiteAndDevice.isEmpty {
            lastSite = site
            lastDevice = device
            lastSiteAndDevice.removeAll(keepingCapacity: true)
            switch format {
            case .jsonl:
                Self.put(Self.siteKey, to: &lastSiteAndDevice)
                JSONWriter.appendString(site, to: &lastSiteAndDevice)
                Self.put(Self.deviceKey, to: &lastSiteAndDevice)
                JSONWriter.appendString(device, to: &lastSiteAndDevice)
            case .csv:
                CSVWriter.appendField(site, to: &lastSiteAndDevice)
                lastSiteAndDevice.append(0x2C)
                CSVWriter.appendField(device, to: &lastSiteAndDevice)
                lastSiteAndDevice.append(0x2C)
            }
        }
        lastSiteAndDevice.withUnsafeBufferPointer { out.append(contentsOf: $0) }
    }

    /// Appends the line's start for this window, from the cache when it is there.
    private mutating func appendPrefix(window: WindowSize, start: Int64, end: Int64, to out: inout [UInt8]) {
        let ownEnd = end == start + window.milliseconds
        if ownEnd {
            for i in prefixes.indices where prefixes[i].windowMs == window.milliseconds && prefixes[i].startMs == start {
                prefixes[i].bytes.withUnsafeBufferPointer { out.append(contentsOf: $0) }
                return
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(72)
        switch format {
        case .jsonl:
            Self.put(Self.windowKey, to: &bytes)
            JSONWriter.appendString(window.name, to: &bytes)
            Self.put(Self.startKey, to: &bytes)
            UTCTimestamp.append(milliseconds: start, to: &bytes)
            Self.put(Self.endKey, to: &bytes)
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
            let text = lastFloatText, at = out.count
            out.append(contentsOf: repeatElement(0, count: text.count))
            out.withUnsafeMutableBytes { b in
                (b.baseAddress! + at).copyMemory(from: b.baseAddress! + text.lowerBound, byteCount: text.count)
            }
            return true
        }
        let start = out.count
        guard JSONWriter.appendFloat(value, to: &out) else {
            lastFloatBits = nil
            return false
        }
        lastFloatText = start..<out.count
        lastFloatBits = value.bitPattern
        return true
    }

    @inline(__always)
    private mutating func jsonFloat(_ key: StaticString, _ value: Double, _ out: inout [UInt8]) {
        Self.put(key, to: &out)
        if !appendFloat(value, &out) { Self.put(Self.null, to: &out) }
    }

    @inline(__always)
    private mutating func csvFloat(_ value: Double, _ out: inout [UInt8]) {
        out.append(0x2C)
        _ = appendFloat(value, &out)
    }

    /// Appends a constant's bytes (no reference counting, unlike a static array).
    @inline(__always)
    private static func put(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    // The member names in file order (``RollupColumn``), with their punctuation.
    private static let windowKey: StaticString = #"{"window":"#
    private static let startKey: StaticString = #","start":""#
    private static let endKey: StaticString = #"","end":""#
    private static let siteKey: StaticString = #","site":"#
    private static let deviceKey: StaticString = #","device":"#
    private static let metricKey: StaticString = #","metric":"#
    private static let countKey: StaticString = #","count":"#
    private static let minKey: StaticString = #","min":"#
    private static let maxKey: StaticString = #","max":"#
    private static let sumKey: StaticString = #","sum":"#
    private static let meanKey: StaticString = #","mean":"#
    private static let firstKey: StaticString = #","first":"#
    private static let lastKey: StaticString = #","last":"#
    private static let stddevKey: StaticString = #","stddev":"#
    private static let firstTsKey: StaticString = #","first_ts":""#
    private static let lastTsKey: StaticString = #","last_ts":""#
    private static let m2Key: StaticString = #","m2":"#
    private static let sketchKey: StaticString = #","sketch":""#
    private static let null: StaticString = "null"
}
