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
/// An influx template whose pattern lacks `{site}` or `{device}` takes them from the line's
/// tags: those named ``siteTag`` and ``deviceTag`` (options `site_tag` and `device_tag`,
/// default `site` and `device`; Telegraf's `host` is `device_tag=host`). Every other tag of a
/// line is ignored. Invariants: the two tag names differ, and a pattern placeholder and the
/// tag option for the same tag are not both given.
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
    /// For an influx template without `{site}`: the name of the line tag whose value is the
    /// site (option `site_tag`). `site` otherwise, and unused.
    public let siteTag: String
    /// For an influx template without `{device}`: the name of the line tag whose value is the
    /// device (option `device_tag`, e.g. Telegraf's `host`). `device` otherwise, and unused.
    public let deviceTag: String

    /// The tag names an influx line's site and device are taken from when no option says otherwise.
    public static let defaultSiteTag = "site", defaultDeviceTag = "device"

    /// The config spelling, with the timestamp option in effect spelled out and a tag option
    /// when it is not the default: `vn/{site}/{device}/telemetry json ts_unit=auto`,
    /// `vn/+/telegraf influx precision=ns site_tag=location device_tag=host`; `init(spec:)`
    /// reads it back.
    public var description: String {
        guard let option = Self.timestampOption(format) else { return "\(pattern) \(format.rawValue)" }
        var text = "\(pattern) \(format.rawValue) \(option)=\(timestampUnit.rawValue)"
        if siteTag != Self.defaultSiteTag { text += " site_tag=\(siteTag)" }
        if deviceTag != Self.defaultDeviceTag { text += " device_tag=\(deviceTag)" }
        return text
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
    /// `siteTag`/`deviceTag` (influx only; nil means `site`/`device`) name the line tags the
    /// site and device come from; each is refused when the pattern has that placeholder, when
    /// the two are the same, and when it is not a plain tag key (empty, or with a space, `,`,
    /// `=`, `"`, `\` or a control character).
    public init(
        pattern: String, format: PayloadFormat, timestampUnit: TimestampUnit? = nil,
        siteTag: String? = nil, deviceTag: String? = nil
    ) throws(PatternError) {
        func fail(_ problem: String) -> PatternError { PatternError(pattern: pattern, problem: problem) }
        guard !pattern.isEmpty else { throw fail("is empty") }
        if format == .value, timestampUnit != nil {
            throw fail("a value template takes no timestamp unit (its event time is the arrival time)")
        }
        if format != .influx, siteTag != nil || deviceTag != nil {
            throw fail("only an influx template takes site_tag and device_tag (its tags come from the topic)")
        }
        for (option, tag) in [("site_tag", siteTag), ("device_tag", deviceTag)] {
            guard let tag else { continue }
            guard Self.isPlainTagKey(tag) else {
                throw fail("\(option)=\(tag) is not a tag name; expected a line protocol tag key such as host "
                    + "(no space, ',', '=', '\"', '\\' or control character)")
            }
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
        case .influx:
            if siteTag != nil, seen.contains("{site}") {
                throw fail("site_tag is for a pattern without {site}; here the topic's {site} is the site")
            }
            if deviceTag != nil, seen.contains("{device}") {
                throw fail("device_tag is for a pattern without {device}; here the topic's {device} is the device")
            }
            if !seen.contains("{site}"), !seen.contains("{device}"),
               (siteTag ?? Self.defaultSiteTag) == (deviceTag ?? Self.defaultDeviceTag) {
                throw fail("site_tag and device_tag both name '\(siteTag ?? Self.defaultSiteTag)'; "
                    + "a line's site and device come from different tags")
            }
        }
        self.pattern = pattern
        self.format = format
        self.segments = segments
        self.timestampUnit = timestampUnit ?? Self.defaultTimestampUnit(format)
        self.siteTag = siteTag ?? Self.defaultSiteTag
        self.deviceTag = deviceTag ?? Self.defaultDeviceTag
    }

    /// Whether `key` can be written as a line protocol tag key without escapes: not empty, no
    /// space, `,`, `=`, `"`, `\` or control character.
    private static func isPlainTagKey(_ key: String) -> Bool {
        !key.isEmpty && !key.unicodeScalars.contains { s in
            s.value < 0x20 || s.value == 0x7F || s == " " || s == "," || s == "=" || s == "\"" || s == "\\"
        }
    }

    /// Parses the config spelling `"<pattern> <format> [option=value …]"`, e.g.
    /// `"vn/{site}/{device}/telemetry json"`, `"vn/{site}/influx influx precision=s"` or
    /// `"vn/+/telegraf influx site_tag=location device_tag=host"`. Options: `ts_unit=auto|s|ms|us|ns`
    /// for json; `precision=ns|us|ms|s|auto`, `site_tag=<tag>` and `device_tag=<tag>` for
    /// influx; none for value. An unknown option, one of another format, one given twice or a
    /// bad value is refused with a problem that says what the template takes.
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
        case .influx: takes = "an influx template takes precision=ns|us|ms|s|auto, site_tag=<tag> and device_tag=<tag>"
        case .value: takes = "a value template takes no options (its event time is the arrival time)"
        }
        var unit: TimestampUnit? = nil
        var tags: [String: String] = [:]
        for option in parts.dropFirst(2) {
            let kv = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, !kv[0].isEmpty else { throw fail("option '\(option)' is not key=value; \(takes)") }
            let key = String(kv[0]), value = String(kv[1])
            guard Self.options(format).contains(key) else {
                let known = PayloadFormat.allCases.first { Self.options($0).contains(key) }
                if let known { throw fail("\(key) is an option of \(known.rawValue) templates; \(takes)") }
                throw fail("unknown option '\(key)'; \(takes)")
            }
            if key == Self.timestampOption(format) {
                guard unit == nil else { throw fail("\(key) is given twice; \(takes)") }
                guard let u = TimestampUnit(rawValue: value) else {
                    throw fail("\(key)=\(value) is not a unit; \(takes)")
                }
                unit = u
            } else {
                guard tags[key] == nil else { throw fail("\(key) is given twice; \(takes)") }
                tags[key] = value
            }
        }
        try self.init(pattern: String(parts[0]), format: format, timestampUnit: unit,
                      siteTag: tags["site_tag"], deviceTag: tags["device_tag"])
    }

    /// The options a format's templates take.
    private static func options(_ format: PayloadFormat) -> [String] {
        switch format {
        case .json: ["ts_unit"]
        case .influx: ["precision", "site_tag", "device_tag"]
        case .value: []
        }
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
