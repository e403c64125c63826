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
    /// The previous float of the current line (its bits, and where its text is in the output
    /// being written): a window of one reading has min = max = sum = mean = first = last,
    /// formatted once and copied.
    private var lastFloatBits: UInt64?
    private var lastFloatText: Range<Int> = 0..<0
    /// The site and device of the previous line, and their members' bytes.
    private var lastSite = ""
    private var lastDevice = ""
    private var lastSiteAndDevice: [UInt8] = []

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
            out.append(0x7D)
        case .csv:
            appendSiteAndDevice(site, device, &out)
            CSVWriter.appendField(metric, to: &out)
            out.append(0x2C)
            JSONWriter.appendInteger(count, to: &out)
            csvFloat(f.0, &out); csvFloat(f.1, &out); csvFloat(f.2, &out); csvFloat(f.3, &out)
            csvFloat(f.4, &out); csvFloat(f.5, &out); csvFloat(f.6, &out)
        }
        out.append(0x0A)
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
    private static let null: StaticString = "null"
}
