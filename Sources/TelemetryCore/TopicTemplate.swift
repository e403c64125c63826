/// A topic pattern that maps MQTT topics to tags and chooses the payload format, such as
/// `vn/{site}/{device}/telemetry` (json) or `vn/{site}/{device}/{metric}` (value).
///
/// Segments are separated by `/`. A segment is a literal, one of the placeholders `{site}`,
/// `{device}`, `{metric}`, or `+` (any one segment, ignored). Matching is exact on the number
/// of segments. Invariants (checked by `init(pattern:format:timestampUnit:)`): each
/// placeholder at most once; `json` needs `{site}` and `{device}`; `value` needs all three;
/// `influx` may take site and device from the line's tags instead.
///
/// A template also says what its payloads' numeric timestamps count (``timestampUnit``): a
/// JSON `ts` (option `ts_unit`, default `auto`) or an Influx line's timestamp (option
/// `precision`, default `ns` as the line protocol has it). A `value` payload has no timestamp.
///
/// Threading: an immutable value; share freely.
public struct TopicTemplate: Sendable, Hashable, CustomStringConvertible {
    /// One segment of a pattern.
    public enum Segment: Sendable, Hashable {
        case literal([UInt8])
        case site, device, metric
        case anySegment
    }

    /// Why a pattern was refused.
    public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
        public let pattern: String
        public let problem: String
        public var description: String { "topic template '\(pattern)': \(problem)" }
    }

    public let pattern: String
    public let format: PayloadFormat
    public let segments: [Segment]
    /// What a numeric timestamp in this template's payloads counts. For `value` templates,
    /// which carry none, it is `auto` and unused.
    public let timestampUnit: TimestampUnit

    /// The config spelling, with the timestamp option in effect spelled out:
    /// `vn/{site}/{device}/telemetry json ts_unit=auto`; `init(spec:)` reads it back.
    public var description: String {
        guard let option = Self.timestampOption(format) else { return "\(pattern) \(format.rawValue)" }
        return "\(pattern) \(format.rawValue) \(option)=\(timestampUnit.rawValue)"
    }

    /// The option that sets a format's timestamp unit, nil for `value`.
    public static func timestampOption(_ format: PayloadFormat) -> String? {
        switch format {
        case .json: "ts_unit"
        case .influx: "precision"
        case .value: nil
        }
    }

    /// A format's timestamp unit when its template names none: `auto` for JSON, `ns` for
    /// Influx (the line protocol's own default).
    public static func defaultTimestampUnit(_ format: PayloadFormat) -> TimestampUnit {
        format == .influx ? .nanoseconds : .auto
    }

    /// A template of `pattern` for `format`; `timestampUnit` nil means the format's default
    /// (``defaultTimestampUnit(_:)``). A `value` template refuses a unit: it has no timestamp.
    public init(pattern: String, format: PayloadFormat, timestampUnit: TimestampUnit? = nil) throws(PatternError) {
        func fail(_ problem: String) -> PatternError { PatternError(pattern: pattern, problem: problem) }
        guard !pattern.isEmpty else { throw fail("is empty") }
        if format == .value, timestampUnit != nil {
            throw fail("a value template takes no timestamp unit (its event time is the arrival time)")
        }
        // The split and checks below go by character, topics are matched by byte: a mark joined to
        // `/ + # { }` (`/\u{301}`) would hide it from the first and not from the second.
        guard !pattern.contains(where: { $0.unicodeScalars.count > 1 && $0.unicodeScalars.contains { "/+#{}".unicodeScalars.contains($0) } }) else { throw fail("a combining mark is joined to '/', '+', '#', '{' or '}'") }
        var segments: [Segment] = []
        var seen: Set<String> = []
        for part in pattern.split(separator: "/", omittingEmptySubsequences: false) {
            switch part {
            case "{site}", "{device}", "{metric}":
                guard seen.insert(String(part)).inserted else { throw fail("\(part) appears twice") }
                segments.append(part == "{site}" ? .site : part == "{device}" ? .device : .metric)
            case "+": segments.append(.anySegment)
            case "#": throw fail("'#' is not supported; name every segment or use '+'")
            default:
                if part.contains("{") || part.contains("}") {
                    throw fail("unknown placeholder '\(part)'; use {site}, {device}, {metric} or +")
                }
                if part.contains("+") || part.contains("#") { throw fail("wildcards must fill a whole segment") }
                segments.append(.literal(Array(part.utf8)))
            }
        }
        switch format {
        case .json:
            guard seen.contains("{site}"), seen.contains("{device}") else {
                throw fail("a json template needs {site} and {device}")
            }
        case .value:
            guard seen.count == 3 else { throw fail("a value template needs {site}, {device} and {metric}") }
        case .influx: break
        }
        self.pattern = pattern
        self.format = format
        self.segments = segments
        self.timestampUnit = timestampUnit ?? Self.defaultTimestampUnit(format)
    }

    /// Parses the config spelling `"<pattern> <format> [option=value …]"`, e.g.
    /// `"vn/{site}/{device}/telemetry json"` or `"vn/{site}/influx influx precision=s"`.
    /// Options: `ts_unit=auto|s|ms|us|ns` for json, `precision=ns|us|ms|s|auto` for influx,
    /// none for value. An unknown option, one of another format, one given twice or a bad
    /// value is refused with a problem that says what the template takes.
    public init(spec: String) throws(PatternError) {
        func fail(_ problem: String) -> PatternError { PatternError(pattern: spec, problem: problem) }
        // Split by scalar, not character: in `a\u{600} json` the prepended mark joins the space.
        let parts = spec.unicodeScalars.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 2 else {
            throw fail("expected '<pattern> <json|value|influx> [option=value …]'")
        }
        guard let format = PayloadFormat(rawValue: String(parts[1])) else {
            throw fail("unknown format '\(parts[1])'; expected json, value or influx")
        }
        let takes: String
        switch format {
        case .json: takes = "a json template takes ts_unit=auto|s|ms|us|ns"
        case .influx: takes = "an influx template takes precision=ns|us|ms|s|auto"
        case .value: takes = "a value template takes no options (its event time is the arrival time)"
        }
        var unit: TimestampUnit? = nil
        for option in parts.dropFirst(2) {
            let kv = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, !kv[0].isEmpty else { throw fail("option '\(option)' is not key=value; \(takes)") }
            let key = String(kv[0]), value = String(kv[1])
            guard let expectedKey = Self.timestampOption(format), key == expectedKey else {
                let known = PayloadFormat.allCases.first { Self.timestampOption($0) == key }
                if let known { throw fail("\(key) is an option of \(known.rawValue) templates; \(takes)") }
                throw fail("unknown option '\(key)'; \(takes)")
            }
            guard unit == nil else { throw fail("\(key) is given twice; \(takes)") }
            guard let u = TimestampUnit(rawValue: value) else {
                throw fail("\(key)=\(value) is not a unit; \(takes)")
            }
            unit = u
        }
        try self.init(pattern: String(parts[0]), format: format, timestampUnit: unit)
    }

    /// The MQTT subscription filter that covers this template (`{…}` become `+`).
    public var subscriptionFilter: String {
        segments.map { seg -> String in
            switch seg {
            case .literal(let b): return String(decoding: b, as: UTF8.self)
            default: return "+"
            }
        }.joined(separator: "/")
    }

    /// The default templates: JSON telemetry, plain values, and nothing for Influx.
    public static let defaults: [TopicTemplate] = [
        try! TopicTemplate(pattern: "vn/{site}/{device}/telemetry", format: .json),
        try! TopicTemplate(pattern: "vn/{site}/{device}/{metric}", format: .value),
    ]

    /// Byte ranges of the tags in a matched topic; an empty range where the template has none.
    public struct Match: Sendable, Equatable {
        @inlinable public init() {}
        public var site: Range<Int> = 0..<0
        public var device: Range<Int> = 0..<0
        public var metric: Range<Int> = 0..<0
        public var hasSite = false, hasDevice = false, hasMetric = false
    }

    /// Matches `topic` against this template without allocating; `nil` when it does not match.
    @inlinable
    public func match(_ topic: UnsafeRawBufferPointer) -> Match? {
        var m = Match()
        var pos = 0
        let n = topic.count
        for (index, seg) in segments.enumerated() {
            if pos > n { return nil }
            var end = pos
            while end < n, topic[end] != 0x2F { end += 1 }
            let isLast = index == segments.count - 1
            if isLast, end != n { return nil }
            if !isLast, end == n { return nil }
            switch seg {
            case .literal(let lit):
                guard lit.count == end - pos else { return nil }
                for k in 0..<lit.count where lit[k] != topic[pos + k] { return nil }
            case .site: m.site = pos..<end; m.hasSite = true
            case .device: m.device = pos..<end; m.hasDevice = true
            case .metric: m.metric = pos..<end; m.hasMetric = true
            case .anySegment: break
            }
            pos = end + 1
        }
        return m
    }
}
