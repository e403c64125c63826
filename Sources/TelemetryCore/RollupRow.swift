/// One line of a rollup file as values: one series' aggregate over one event-time window.
///
/// ``RollupEncoder`` writes it (from a closed ``Rollup``, or a row read back, byte for byte
/// the same); ``decode(jsonLine:)`` and ``decode(textNumbers:_:)`` read it from a `.jsonl`
/// line or a `.csv` row. Only the ``RollupColumn``s are kept; any other fields (added by later
/// daemon versions) are ignored.
///
/// The mergeable state (``firstTs``, ``lastTs``, ``m2``, ``sketch``) and the percentiles are
/// optional: files written before them still read (as nil and `[]`). ``RollupMerge`` combines
/// rows exactly.
///
/// Invariants: `start` and `end` are epoch milliseconds (UTC) parsed from the RFC 3339 text,
/// `start` not necessarily a multiple of the window (a `1d` row under `windows.align: "+07:00"`
/// starts at 17:00Z, and nothing here assumes otherwise); `count` is a whole number. Float
/// fields are whatever the file said; `Double.nan` stands for
/// a float written as `null` (JSON) or an empty field (CSV), which the daemon does not normally
/// produce.
///
/// Threading: a value type with no shared state; safe to share.
public struct RollupRow: Hashable, Sendable {
    public var window: WindowSize
    /// Window start, epoch ms UTC (inclusive).
    public var start: Int64
    /// Window end, epoch ms UTC (exclusive).
    public var end: Int64
    public var site: String
    public var device: String
    public var metric: String
    public var count: Int64
    public var min: Double
    public var max: Double
    public var sum: Double
    public var mean: Double
    public var first: Double
    public var last: Double
    public var stddev: Double
    /// Event time (epoch ms UTC) of the first reading (`first_ts`); nil in older files.
    public var firstTs: Int64?
    /// Event time (epoch ms UTC) of the last reading (`last_ts`); nil in older files.
    public var lastTs: Int64?
    /// Welford's M2, the sum of squared deviations from the mean; nil in older files.
    public var m2: Double?
    /// The percentile columns, in file order.
    public var percentiles: [PercentileValue]
    /// The quantile sketch; nil in older files and without percentiles.
    public var sketch: QuantileSketch?

    /// One percentile column's value.
    public struct PercentileValue: Hashable, Sendable {
        public var percentile: Percentile
        public var value: Double
        public init(_ percentile: Percentile, _ value: Double) {
            self.percentile = percentile
            self.value = value
        }
    }

    public init(
        window: WindowSize, start: Int64, end: Int64, site: String, device: String, metric: String,
        count: Int64, min: Double, max: Double, sum: Double, mean: Double, first: Double,
        last: Double, stddev: Double, firstTs: Int64? = nil, lastTs: Int64? = nil, m2: Double? = nil,
        percentiles: [PercentileValue] = [], sketch: QuantileSketch? = nil
    ) {
        self.window = window
        self.start = start
        self.end = end
        self.site = site
        self.device = device
        self.metric = metric
        self.count = count
        self.min = min
        self.max = max
        self.sum = sum
        self.mean = mean
        self.first = first
        self.last = last
        self.stddev = stddev
        self.firstTs = firstTs
        self.lastTs = lastTs
        self.m2 = m2
        self.percentiles = percentiles
        self.sketch = sketch
    }

    /// The line of a closed window, with these percentile columns (none, and no sketch, when
    /// the rollup has no sketch).
    public init(_ rollup: Rollup, percentiles: [Percentile] = Percentile.defaults) {
        let s = rollup.stats
        let sketched = !rollup.sketch.isEmpty && !percentiles.isEmpty
        self.init(
            window: rollup.window, start: rollup.startMs, end: rollup.endMs, site: rollup.key.site,
            device: rollup.key.device, metric: rollup.key.metric, count: s.count, min: s.min, max: s.max,
            sum: s.sum, mean: s.mean, first: s.first, last: s.last, stddev: s.stddev,
            firstTs: s.firstTimeMs, lastTs: s.lastTimeMs, m2: s.m2,
            percentiles: sketched
                ? percentiles.map { PercentileValue($0, $0.value(of: rollup.sketch, min: s.min, max: s.max)!) } : [],
            sketch: sketched ? rollup.sketch : nil)
    }

    /// The series this rollup belongs to.
    public var series: SeriesKey { SeriesKey(site: site, device: device, metric: metric) }

    /// Output order: window start, then site, device, metric.
    public static func outputOrder(_ a: RollupRow, _ b: RollupRow) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.site != b.site { return a.site < b.site }
        if a.device != b.device { return a.device < b.device }
        return a.metric < b.metric
    }

    /// A raw field value as found in a file, before conversion.
    public enum RawField: Sendable {
        /// A JSON string, or any CSV field.
        case text(String)
        /// A JSON number literal.
        case number(String)
        /// JSON `null`.
        case null
        /// Any other JSON value (object, array, boolean).
        case other
    }

    /// Builds a row from raw fields; `nil` when a field is missing or has the wrong type.
    /// The mergeable state and percentiles may be missing (older files), or empty (CSV).
    ///
    /// - Parameter lookup: returns the raw value of a column, or `nil` when absent.
    /// - Parameter textNumbers: whether numbers may arrive as `.text` (CSV) rather than
    ///   `.number` (JSON).
    /// - Parameter percentiles: the percentile columns found, in file order.
    public static func decode(
        textNumbers: Bool, percentiles: [(Percentile, RawField)] = [], _ lookup: (RollupColumn) -> RawField?
    ) -> RollupRow? {
        func text(_ column: RollupColumn) -> String? {
            if case .text(let s)? = lookup(column) { return s }
            return nil
        }
        func float(_ column: RollupColumn) -> Double? {
            switch lookup(column) {
            case .number(let literal)?: return Double(literal)
            case .null?: return .nan
            case .text(let s)? where textNumbers:
                if s.isEmpty { return .nan }
                guard let d = Double(s), d.isFinite else { return nil }
                return d
            default: return nil
            }
        }
        func integer(_ column: RollupColumn) -> Int64? {
            let literal: String
            switch lookup(column) {
            case .number(let l)?: literal = l
            case .text(let s)? where textNumbers: literal = s
            default: return nil
            }
            return Int64(integralNumberText: literal)
        }
        guard let windowText = text(.window), let window = WindowSize(parsing: windowText),
              let startText = text(.start), let start = UTCTimestamp.parse(startText),
              let endText = text(.end), let end = UTCTimestamp.parse(endText),
              let site = text(.site), let device = text(.device), let metric = text(.metric),
              let count = integer(.count),
              let min = float(.min), let max = float(.max), let sum = float(.sum),
              let mean = float(.mean), let first = float(.first), let last = float(.last),
              let stddev = float(.stddev)
        else { return nil }
        // The optional columns: absent (or empty in CSV) is nil; present and malformed fails.
        func isAbsent(_ field: RawField?) -> Bool {
            switch field {
            case nil: true
            case .text(let s)? where textNumbers: s.isEmpty
            default: false
            }
        }
        func optionalTime(_ column: RollupColumn) -> Int64?? {
            let field = lookup(column)
            if isAbsent(field) { return .some(nil) }
            guard case .text(let s)? = field, let t = UTCTimestamp.parse(s) else { return nil }
            return .some(t)
        }
        guard let firstTs = optionalTime(.firstTs), let lastTs = optionalTime(.lastTs) else { return nil }
        var m2: Double?
        if !isAbsent(lookup(.m2)) {
            guard let v = float(.m2) else { return nil }
            m2 = v
        }
        var sketch: QuantileSketch?
        if !isAbsent(lookup(.sketch)) {
            guard let t = text(.sketch), let s = QuantileSketch(text: t) else { return nil }
            sketch = s
        }
        func percentileValue(_ field: RawField) -> Double? {
            switch field {
            case .number(let literal): return Double(literal)
            case .null: return .nan
            case .text(let s) where textNumbers:
                guard let d = Double(s), d.isFinite else { return nil }
                return d
            default: return nil
            }
        }
        var values: [PercentileValue] = []
        for (p, field) in percentiles where !isAbsent(field) {
            guard let v = percentileValue(field) else { return nil }
            values.append(PercentileValue(p, v))
        }
        return RollupRow(
            window: window, start: start, end: end, site: site, device: device, metric: metric,
            count: count, min: min, max: max, sum: sum, mean: mean, first: first, last: last,
            stddev: stddev, firstTs: firstTs, lastTs: lastTs, m2: m2, percentiles: values, sketch: sketch)
    }

    /// Decodes one JSON Lines record (without its newline); `nil` when it is not a valid
    /// rollup object. Of a field given twice, the first counts.
    public static func decode(jsonLine bytes: UnsafeRawBufferPointer) -> RollupRow? {
        var fields: [RollupColumn: RawField] = [:]
        var percentiles: [(Percentile, RawField)] = []
        var lexer = JSONLexer(bytes: bytes)
        do throws(JSONParseError) {
            try lexer.readObject { name, value throws(JSONParseError) in
                let column = RollupColumn(rawValue: name)
                let percentile = column == nil && name.utf8.first == 0x70 ? Percentile(name: name) : nil
                if let column, fields[column] != nil { return try value.skipAnyValue() }
                if let percentile, percentiles.contains(where: { $0.0 == percentile }) { return try value.skipAnyValue() }
                guard column != nil || percentile != nil else { return try value.skipAnyValue() }
                let field: RawField
                switch value.peek {
                case 0x22: field = .text(try value.readStringValue())
                case 0x6E: try value.readWord("null"); field = .null
                case let b? where b == 0x2D || b &- 0x30 <= 9: field = .number(try value.readNumberText())
                default: try value.skipAnyValue(); field = .other
                }
                if let column { fields[column] = field } else if let percentile { percentiles.append((percentile, field)) }
            }
            try lexer.expectEnd()
        } catch {
            return nil
        }
        return decode(textNumbers: false, percentiles: percentiles) { fields[$0] }
    }
}
