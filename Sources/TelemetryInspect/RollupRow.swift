public import TelemetryCore

/// The read model of one rollup line: one series' aggregate over one event-time window.
///
/// Decoded from a `.jsonl` line or a `.csv` row written by telemetryd. Only the fields listed in
/// ``fieldNames`` are kept; any others (added by later daemon versions) are ignored.
///
/// Invariants: `start` and `end` are epoch milliseconds (UTC) parsed from the RFC 3339 text;
/// `count` is a whole number. Float fields are whatever the file said; `Double.nan` stands for
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

    /// The rollup file fields, in the order the daemon writes them (and the order
    /// `--format json`/`csv` output uses).
    public static let fieldNames = [
        "window", "start", "end", "site", "device", "metric",
        "count", "min", "max", "sum", "mean", "first", "last", "stddev",
    ]

    public init(
        window: WindowSize, start: Int64, end: Int64, site: String, device: String, metric: String,
        count: Int64, min: Double, max: Double, sum: Double, mean: Double, first: Double,
        last: Double, stddev: Double
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

    /// Builds a row from named raw fields; `nil` when a field is missing or has the wrong type.
    ///
    /// - Parameter lookup: returns the raw value of a field name, or `nil` when absent.
    /// - Parameter textNumbers: whether numbers may arrive as `.text` (CSV) rather than
    ///   `.number` (JSON).
    public static func decode(textNumbers: Bool, _ lookup: (String) -> RawField?) -> RollupRow? {
        func text(_ name: String) -> String? {
            if case .text(let s)? = lookup(name) { return s }
            return nil
        }
        func float(_ name: String) -> Double? {
            switch lookup(name) {
            case .number(let literal)?: return Double(literal)
            case .null?: return .nan
            case .text(let s)? where textNumbers:
                if s.isEmpty { return .nan }
                guard let d = Double(s), d.isFinite else { return nil }
                return d
            default: return nil
            }
        }
        func integer(_ name: String) -> Int64? {
            let literal: String
            switch lookup(name) {
            case .number(let l)?: literal = l
            case .text(let s)? where textNumbers: literal = s
            default: return nil
            }
            if let i = Int64(literal) { return i }
            guard let d = Double(literal), d.isFinite, d.rounded() == d, abs(d) < 9.0e18 else { return nil }
            return Int64(d)
        }
        guard let windowText = text("window"), let window = WindowSize(parsing: windowText),
              let startText = text("start"), let start = UTCTimestamp.parse(startText),
              let endText = text("end"), let end = UTCTimestamp.parse(endText),
              let site = text("site"), let device = text("device"), let metric = text("metric"),
              let count = integer("count"),
              let min = float("min"), let max = float("max"), let sum = float("sum"),
              let mean = float("mean"), let first = float("first"), let last = float("last"),
              let stddev = float("stddev")
        else { return nil }
        return RollupRow(
            window: window, start: start, end: end, site: site, device: device, metric: metric,
            count: count, min: min, max: max, sum: sum, mean: mean, first: first, last: last,
            stddev: stddev)
    }

    /// Decodes one JSON Lines record; `nil` when it is not a valid rollup object.
    public static func decode(jsonLine bytes: UnsafeBufferPointer<UInt8>) -> RollupRow? {
        guard let value = try? JSONParser.parse(bytes: bytes), case .object(let members) = value else {
            return nil
        }
        return decode(textNumbers: false) { name in
            guard let v = members.first(where: { $0.key == name })?.value else { return nil }
            switch v {
            case .string(let s): return .text(s)
            case .number(let l): return .number(l)
            case .null: return .null
            default: return .other
            }
        }
    }
}
