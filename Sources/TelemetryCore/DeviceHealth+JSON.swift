/// The `devices.jsonl` format — one compact JSON object per device, one device per line, in
/// site then device order — written with ``JSONWriter`` and read with ``JSONLexer``. Its one
/// home: the daemon writes it, `telemetryctl devices` reads it, DuckDB and pandas read it as
/// it is.
///
/// ```json
/// {"site":"hanoi","device":"aq-hanoi-001","last_arrival":"2026-11-24T06:00:00.000Z","last_event":"2026-11-24T06:04:00.000Z","watermark":"2026-11-24T06:04:00.000Z","clock_offset_s":240.0,"messages":2400,"readings":7200,"duplicates":0,"gaps":0,"restarts":0,"too_late":0,"late_by_window":{"10s":0,"1m":0,"1h":0},"dead_letters":0,"open_windows":9}
/// ```
///
/// - `last_arrival`, `last_event`, `watermark`: RFC 3339 UTC with milliseconds
///   (``UTCTimestamp/format(milliseconds:)``), `null` when not known yet (``DeviceHealth/never``).
/// - `clock_offset_s`: seconds, a double always written with a decimal point or an exponent
///   (`240.0`, `-602.5`), `null` if not finite.
/// - `late_by_window`: window name → count, windows in order of size (`10s`, `1m`, `1h`).
/// - Every other value is an integer.
///
/// Readers ignore keys they do not know (later versions may add some) and take the first of a
/// key given twice.
///
/// Threading: stateless; safe from any thread.
extension DeviceHealth {
    /// The keys of a line, in the order they are written.
    package static let jsonKeys = [
        "site", "device", "last_arrival", "last_event", "watermark", "clock_offset_s", "messages", "readings",
        "duplicates", "gaps", "restarts", "too_late", "late_by_window", "dead_letters", "open_windows",
    ]

    /// The whole file for `devices`: one line each, sorted by site then device, each ending in `\n`.
    package static func jsonLines(_ devices: [DeviceHealth]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(devices.count * 400)
        for d in devices.sorted(by: fileOrder) {
            d.appendJSONLine(to: &out)
        }
        return out
    }

    /// This device's line, without the newline.
    package func jsonLine() -> String {
        var out: [UInt8] = []
        appendJSONLine(to: &out)
        return String(decoding: out.dropLast(), as: UTF8.self)
    }

    /// Appends this device's line and its `\n` to `out`.
    package func appendJSONLine(to out: inout [UInt8]) {
        JSONWriter.append(to: &out) { w in
            func time(_ ms: Int64) {
                if ms == Self.never { w.null() } else { w.string(UTCTimestamp.format(milliseconds: ms)) }
            }
            w.beginObject()
            w.key("site"); w.string(site)
            w.key("device"); w.string(device)
            w.key("last_arrival"); time(lastArrivalMs)
            w.key("last_event"); time(lastEventMs)
            w.key("watermark"); time(watermarkMs)
            w.key("clock_offset_s"); w.float(clockOffsetMs / 1000)
            w.key("messages"); w.integer(messages)
            w.key("readings"); w.integer(readings)
            w.key("duplicates"); w.integer(duplicates)
            w.key("gaps"); w.integer(gaps)
            w.key("restarts"); w.integer(restarts)
            w.key("too_late"); w.integer(tooLate)
            w.key("late_by_window"); w.beginObject()
            for name in Self.windowOrder(lateByWindow.keys) {
                w.key(name); w.integer(lateByWindow[name] ?? 0)
            }
            w.endObject()
            w.key("dead_letters"); w.integer(deadLetters)
            w.key("open_windows"); w.integer(openWindows)
            w.endObject()
        }
        out.append(0x0A)
    }

    /// Window names by window size (`10s`, `1m`, `1h`); names that are not window sizes last,
    /// by name.
    package static func windowOrder(_ names: some Sequence<String>) -> [String] {
        let sized: [(name: String, ms: Int64)] = names.map { name in (name, WindowSize(parsing: name)?.milliseconds ?? Int64.max) }
        return sized.sorted { a, b in a.ms != b.ms ? a.ms < b.ms : a.name < b.name }.map { $0.name }
    }

    /// Reads one line of the file (without its newline). Throws, naming the key, when the line
    /// is not one JSON object, a key of this version is missing, or a value has the wrong kind.
    package init(jsonLine bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var lexer = JSONLexer(bytes: bytes)
        var texts: [String: String] = [:], times: [String: Int64] = [:], integers: [String: Int] = [:]
        var offset: Double?, late: [String: Int]?
        try lexer.readObject { key, v throws(JSONParseError) in
            switch key {
            case _ where texts[key] != nil || times[key] != nil || integers[key] != nil:
                try v.skipAnyValue()
            case "site", "device":
                texts[key] = try v.readStringValue()
            case "last_arrival", "last_event", "watermark":
                times[key] = try v.readDeviceTime(key)
            case "clock_offset_s" where offset == nil:
                if v.peek == 0x6E { try v.readWord("null"); offset = .nan } else {
                    guard let s = Double(try v.readDeviceNumberText(key)) else { throw v.failure("'\(key)' is not a number") }
                    offset = s
                }
            case "late_by_window" where late == nil:
                var counts: [String: Int] = [:]
                try v.readObject { name, n throws(JSONParseError) in
                    let count = try n.readDeviceCount("late_by_window." + name)
                    if counts[name] == nil { counts[name] = count }
                }
                late = counts
            case "messages", "readings", "duplicates", "gaps", "restarts", "too_late", "dead_letters", "open_windows":
                integers[key] = try v.readDeviceCount(key)
            default:
                try v.skipAnyValue()
            }
        }
        try lexer.expectEnd()
        func need<T>(_ value: T?, _ key: String) throws(JSONParseError) -> T {
            guard let value else { throw lexer.failure("device line has no '\(key)'") }
            return value
        }
        self.init(
            site: try need(texts["site"], "site"), device: try need(texts["device"], "device"),
            lastArrivalMs: try need(times["last_arrival"], "last_arrival"),
            lastEventMs: try need(times["last_event"], "last_event"),
            watermarkMs: try need(times["watermark"], "watermark"),
            clockOffsetMs: try need(offset, "clock_offset_s") * 1000,
            messages: try need(integers["messages"], "messages"), readings: try need(integers["readings"], "readings"),
            duplicates: try need(integers["duplicates"], "duplicates"), gaps: try need(integers["gaps"], "gaps"),
            restarts: try need(integers["restarts"], "restarts"), tooLate: try need(integers["too_late"], "too_late"),
            lateByWindow: try need(late, "late_by_window"), deadLetters: try need(integers["dead_letters"], "dead_letters"),
            openWindows: try need(integers["open_windows"], "open_windows"))
    }

    /// ``init(jsonLine:)`` over any bytes.
    package init(jsonLine bytes: some Collection<UInt8>) throws(JSONParseError) {
        let copy = Array(bytes)
        let result: Result<DeviceHealth, JSONParseError> = copy.withUnsafeBytes { raw in
            do throws(JSONParseError) { return .success(try DeviceHealth(jsonLine: raw)) } catch { return .failure(error) }
        }
        self = try result.get()
    }
}

extension JSONLexer {
    /// A count: a non-negative integer literal that fits an `Int`, for field `name`.
    fileprivate mutating func readDeviceCount(_ name: String) throws(JSONParseError) -> Int {
        let start = index
        guard let n = Int(try readDeviceNumberText(name)), n >= 0 else {
            index = start
            throw failure("'\(name)' is not a count (a whole number ≥ 0)")
        }
        return n
    }

    /// The literal text of the number at the cursor, for field `name` (the error names it).
    fileprivate mutating func readDeviceNumberText(_ name: String) throws(JSONParseError) -> String {
        let start = index
        do {
            return try readNumberText()
        } catch {
            index = start
            throw failure("'\(name)' is not a number")
        }
    }

    /// A time: RFC 3339 text, or `null` for ``DeviceHealth/never``, for field `name`.
    fileprivate mutating func readDeviceTime(_ name: String) throws(JSONParseError) -> Int64 {
        if peek == 0x6E { try readWord("null"); return DeviceHealth.never }
        let start = index
        guard let ms = UTCTimestamp.parse(try readStringValue()) else {
            index = start
            throw failure("'\(name)' is not an RFC 3339 time")
        }
        return ms
    }
}
