/// The checkpoint file: written with ``JSONWriter``, read with ``JSONLexer``.
extension AggregatorCheckpoint {
    /// The checkpoint as one compact JSON object, keys sorted.
    package func jsonBytes() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 256 + 300 * open.count + 200 * devices.count)
        w.beginObject()
        w.key("allowedLatenessMs"); w.integer(allowedLatenessMs)
        if let appliedLSN { w.key("appliedLSN"); w.integer(appliedLSN) }
        w.key("clocks"); w.beginArray()
        for c in clocks {
            w.beginObject()
            w.key("clockOffsetMs"); Self.write(c.clockOffsetMs, &w)
            w.key("counters"); w.beginObject()
            for (name, n) in c.counters.sorted(by: { $0.key < $1.key }) { w.key(name); w.integer(n) }
            w.endObject()
            w.key("device"); w.string(c.device)
            w.key("lastArrivalMs"); w.integer(c.lastArrivalMs)
            w.key("lastEventMs"); w.integer(c.lastEventMs)
            w.key("site"); w.string(c.site)
            w.key("watermarkMs"); w.integer(c.watermarkMs)
            w.endObject()
        }
        w.endArray()
        w.key("counters"); w.beginObject()
        for (name, n) in counters.sorted(by: { $0.key < $1.key }) { w.key(name); w.integer(n) }
        w.endObject()
        w.key("devices"); w.beginArray()
        for d in devices {
            w.beginObject()
            w.key("device"); w.string(d.device)
            w.key("highest"); w.integer(d.highest)
            w.key("lowest"); w.integer(d.lowest)
            w.key("seen"); w.beginArray()
            for word in d.seen { w.integer(word) }
            w.endArray()
            w.key("site"); w.string(d.site)
            w.endObject()
        }
        w.endArray()
        if let epoch { w.key("epoch"); w.integer(epoch) }
        if let ingestClockMs { w.key("ingestClockMs"); w.integer(ingestClockMs) }
        w.key("open"); w.beginArray()
        for o in open {
            let s = o.stats
            w.beginObject()
            w.key("device"); w.string(o.device)
            w.key("metric"); w.string(o.metric)
            w.key("site"); w.string(o.site)
            if !o.sketch.isEmpty { w.key("sketch"); w.string(o.sketch.text) }
            w.key("startMs"); w.integer(o.startMs)
            w.key("stats"); w.beginObject()
            w.key("count"); w.integer(s.count)
            w.key("first"); Self.write(s.first, &w)
            w.key("firstTimeMs"); w.integer(s.firstTimeMs)
            w.key("last"); Self.write(s.last, &w)
            w.key("lastTimeMs"); w.integer(s.lastTimeMs)
            w.key("m2"); Self.write(s.storedM2, &w)
            w.key("max"); Self.write(s.max, &w)
            w.key("mean"); Self.write(s.mean, &w)
            w.key("min"); Self.write(s.min, &w)
            w.key("sum"); Self.write(s.runningSum, &w)
            w.endObject()
            w.key("window"); w.string(o.window)
            w.endObject()
        }
        w.endArray()
        w.key("version"); w.integer(version)
        if let watermarkMs { w.key("watermarkMs"); w.integer(watermarkMs) }
        if let windowAlignment { w.key("windowAlignment"); w.string(windowAlignment) }
        w.key("windows"); w.beginArray()
        for name in windows { w.string(name) }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    /// Reads a checkpoint written by ``jsonBytes()`` (or by the `Codable` encoding, which has
    /// the same keys). Unknown keys are ignored; a missing one, a value of the wrong kind or
    /// a version other than 1 is an error naming it.
    package init(json: some Collection<UInt8>) throws(JSONParseError) {
        let bytes = Array(json)
        let result: Result<AggregatorCheckpoint, JSONParseError> = bytes.withUnsafeBytes { raw in
            var lexer = JSONLexer(bytes: raw)
            do throws(JSONParseError) {
                let checkpoint = try Self.read(&lexer)
                try lexer.expectEnd()
                return .success(checkpoint)
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    private static func write(_ value: Double, _ w: inout JSONWriter) {
        if value.isFinite { w.float(value) } else { w.string(value.description) }
    }

    private static func read(_ lexer: inout JSONLexer) throws(JSONParseError) -> AggregatorCheckpoint {
        var version: Int?, windows: [String]?, lateness: Int64?, watermark: Int64?
        var open: [OpenWindow]?, devices: [DeviceSeq]?, counters: [String: Int]?
        var appliedLSN: Int?, epoch: Int?, ingestClock: Int64?, clocks: [DeviceClock] = [], alignment: String?
        try lexer.readObject { key, v throws(JSONParseError) in
            switch key {
            case "version": version = try v.readInteger(key)
            case "windows": windows = try v.readArrayOf { e throws(JSONParseError) in try e.readStringValue() }
            case "allowedLatenessMs": lateness = try v.readInteger(key)
            case "appliedLSN": appliedLSN = try v.readInteger(key)
            case "epoch": epoch = try v.readInteger(key)
            case "ingestClockMs": ingestClock = try v.readInteger(key)
            case "windowAlignment": alignment = try v.readStringValue()
            case "clocks": clocks = try v.readArrayOf(readClock)
            case "watermarkMs":
                if v.peek == 0x6E { try v.readWord("null") } else { watermark = try v.readInteger(key) }
            case "open": open = try v.readArrayOf(readOpenWindow)
            case "devices": devices = try v.readArrayOf(readDevice)
            case "counters":
                var c: [String: Int] = [:]
                try v.readObject { name, n throws(JSONParseError) in c[name] = try n.readInteger(name) }
                counters = c
            default: try v.skipAnyValue()
            }
        }
        guard let version else { throw lexer.failure("checkpoint has no 'version'") }
        guard version == 1 else { throw lexer.failure("checkpoint version \(version) is not supported (only 1)") }
        return AggregatorCheckpoint(
            version: version, windows: try required(windows, "windows", lexer), allowedLatenessMs: try required(lateness, "allowedLatenessMs", lexer),
            watermarkMs: watermark, open: try required(open, "open", lexer), devices: try required(devices, "devices", lexer),
            counters: try required(counters, "counters", lexer), appliedLSN: appliedLSN, epoch: epoch,
            clocks: clocks, ingestClockMs: ingestClock, windowAlignment: alignment)
    }

    private static func readClock(_ lexer: inout JSONLexer) throws(JSONParseError) -> DeviceClock {
        var site: String?, device: String?, watermark: Int64?, arrival: Int64?, event: Int64?, offset: Double?
        var counters: [String: Int] = [:]
        try lexer.readObject { key, v throws(JSONParseError) in
            switch key {
            case "site": site = try v.readStringValue()
            case "device": device = try v.readStringValue()
            case "watermarkMs": watermark = try v.readInteger(key)
            case "lastArrivalMs": arrival = try v.readInteger(key)
            case "lastEventMs": event = try v.readInteger(key)
            case "clockOffsetMs": offset = try v.readCheckpointDouble(key)
            case "counters":
                try v.readObject { name, n throws(JSONParseError) in counters[name] = try n.readInteger(name) }
            default: try v.skipAnyValue()
            }
        }
        return DeviceClock(
            site: try required(site, "clocks.site", lexer), device: try required(device, "clocks.device", lexer),
            watermarkMs: try required(watermark, "clocks.watermarkMs", lexer),
            lastArrivalMs: try required(arrival, "clocks.lastArrivalMs", lexer),
            lastEventMs: try required(event, "clocks.lastEventMs", lexer),
            clockOffsetMs: try required(offset, "clocks.clockOffsetMs", lexer), counters: counters)
    }

    private static func readOpenWindow(_ lexer: inout JSONLexer) throws(JSONParseError) -> OpenWindow {
        var window: String?, start: Int64?, site: String?, device: String?, metric: String?, stats: RollupAccumulator?
        var sketch = QuantileSketch()
        try lexer.readObject { key, v throws(JSONParseError) in
            switch key {
            case "sketch":
                let text = try v.readStringValue()
                guard let s = QuantileSketch(text: text) else { throw v.failure("'open.sketch' is not a sketch") }
                sketch = s
            case "window": window = try v.readStringValue()
            case "startMs": start = try v.readInteger(key)
            case "site": site = try v.readStringValue()
            case "device": device = try v.readStringValue()
            case "metric": metric = try v.readStringValue()
            case "stats": stats = try readStats(&v)
            default: try v.skipAnyValue()
            }
        }
        return OpenWindow(
            window: try required(window, "open.window", lexer), startMs: try required(start, "open.startMs", lexer),
            site: try required(site, "open.site", lexer), device: try required(device, "open.device", lexer),
            metric: try required(metric, "open.metric", lexer), stats: try required(stats, "open.stats", lexer),
            sketch: sketch)
    }

    private static func readStats(_ lexer: inout JSONLexer) throws(JSONParseError) -> RollupAccumulator {
        var integers: [String: Int64] = [:], doubles: [String: Double] = [:]
        try lexer.readObject { key, v throws(JSONParseError) in
            switch key {
            case "count", "firstTimeMs", "lastTimeMs": integers[key] = try v.readInteger(key)
            case "min", "max", "sum", "mean", "m2", "first", "last": doubles[key] = try v.readCheckpointDouble(key)
            default: try v.skipAnyValue()
            }
        }
        func int(_ k: String) throws(JSONParseError) -> Int64 { try required(integers[k], "stats." + k, lexer) }
        func double(_ k: String) throws(JSONParseError) -> Double { try required(doubles[k], "stats." + k, lexer) }
        return RollupAccumulator(
            count: try int("count"), min: try double("min"), max: try double("max"), sum: try double("sum"),
            mean: try double("mean"), m2: try double("m2"), first: try double("first"),
            firstTimeMs: try int("firstTimeMs"), last: try double("last"), lastTimeMs: try int("lastTimeMs"))
    }

    private static func readDevice(_ lexer: inout JSONLexer) throws(JSONParseError) -> DeviceSeq {
        var site: String?, device: String?, highest: Int64?, lowest: Int64?, seen: [UInt64]?
        try lexer.readObject { key, v throws(JSONParseError) in
            switch key {
            case "site": site = try v.readStringValue()
            case "device": device = try v.readStringValue()
            case "highest": highest = try v.readInteger(key)
            case "lowest": lowest = try v.readInteger(key)
            case "seen": seen = try v.readArrayOf { e throws(JSONParseError) in try e.readInteger("seen") }
            default: try v.skipAnyValue()
            }
        }
        return DeviceSeq(
            site: try required(site, "devices.site", lexer), device: try required(device, "devices.device", lexer),
            highest: try required(highest, "devices.highest", lexer), lowest: try required(lowest, "devices.lowest", lexer),
            seen: try required(seen, "devices.seen", lexer))
    }

    private static func required<T>(_ value: T?, _ name: String, _ lexer: JSONLexer) throws(JSONParseError) -> T {
        guard let value else { throw lexer.failure("checkpoint has no '\(name)'") }
        return value
    }
}

extension JSONLexer {
    /// An integer of type `T` (digits only, in range), for field `name`.
    fileprivate mutating func readInteger<T: FixedWidthInteger>(_ name: String) throws(JSONParseError) -> T {
        let start = index
        guard let n = T(try readNumberText()) else {
            index = start
            throw failure("'\(name)' is not an integer of its range")
        }
        return n
    }

    /// A double: a number, or `inf`/`-inf`/`nan` as a string.
    fileprivate mutating func readCheckpointDouble(_ name: String) throws(JSONParseError) -> Double {
        let start = index
        let text = try peek == 0x22 ? readStringValue() : readNumberText()
        guard let v = Double(text) else {
            index = start
            throw failure("'\(name)' is not a number")
        }
        return v
    }

    /// The elements of an array, each read by `element`.
    fileprivate mutating func readArrayOf<T>(
        _ element: (inout JSONLexer) throws(JSONParseError) -> T
    ) throws(JSONParseError) -> [T] {
        var items: [T] = []
        try readArray { e throws(JSONParseError) in items.append(try element(&e)) }
        return items
    }
}
