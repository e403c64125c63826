/// Turns one MQTT message (topic and payload bytes) into readings, or into the reason it is
/// rejected. This is the hot path: it scans bytes directly and, once warmed up, allocates
/// nothing per message.
///
/// A message is taken whole or not at all: if any part of it cannot be decoded, no reading
/// of it is produced. Without a `ts` the event time is the arrival time; a numeric one counts
/// the matched template's ``TopicTemplate/timestampUnit``. A JSON metric given
/// more than once counts once, with its last value (``LastReadingPerSeries``).
///
/// Errors: every step of decoding throws the `RejectReason` of the first problem it finds
/// (typed throws all the way down: scanners, sinks, tag checks).
///
/// Threading: one decoder per ingest thread (it owns scratch buffers and a `SeriesKeyCache`);
/// not `Sendable`. The `SeriesRegistry` it shares is thread-safe.
public final class MessageDecoder {
    public let templates: [TopicTemplate]
    public let limits: DecodeLimits
    /// The readings of the last message decoded successfully, in payload order; only the
    /// first has `isFirstInMessage` set. A copy (it allocates): the hot path reads ``batch``.
    public var readings: [Reading] { Array(buffer.readings) }

    /// The readings of the last message decoded successfully, in place (no copy, no
    /// reference counting); valid until the next call to `decode`.
    public var batch: UnsafeBufferPointer<Reading> { UnsafeBufferPointer(buffer.readings) }

    private var buffer = ReadingBuffer(capacity: 64)

    private var cache: SeriesKeyCache
    private let matcher: TopicMatcher
    private var json = JSONPayloadScanner()
    private var lastPerSeries = LastReadingPerSeries()
    private var influx = InfluxLineScanner()
    /// The tags of the readings being added (pointing into the message being decoded) and
    /// the cache's owner number of their pair, -1 when the cache does not know it yet.
    private var site = UnsafeRawBufferPointer(start: nil, count: 0)
    private var device = UnsafeRawBufferPointer(start: nil, count: 0)
    private var owner: SeriesKeyCache.Owner = -1

    public init(templates: [TopicTemplate], registry: SeriesRegistry, limits: DecodeLimits = DecodeLimits()) {
        self.templates = templates
        self.limits = limits
        self.cache = SeriesKeyCache(registry: registry)
        self.matcher = TopicMatcher(templates)
    }

    deinit { buffer.deallocate() }

    /// Decodes one message that arrived at `arrivalMs`; on success its readings are in
    /// `readings`. Throws the reason the message is rejected, and then `readings` is empty.
    public func decode(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64
    ) throws(RejectReason) {
        buffer.removeAll()
        guard payload.count <= limits.maxPayloadBytes else { throw .tooLarge }
        guard UTF8Validation.isValid(topic) else { throw .notUTF8 }
        guard let found = matcher.first(matching: topic) else { throw .noTemplate }
        guard UTF8Validation.isValid(payload) else { throw .notUTF8 }
        // A rejected message leaves no readings behind. (Cleanup in a `defer` rather than a
        // catch-and-rethrow, so that a rejection costs one throw, not two.)
        var decoded = false
        defer { if !decoded { buffer.removeAll() } }
        try decodeReadings(found, topic: topic, payload: payload, arrivalMs: arrivalMs)
        decoded = true
    }

    /// Decodes the payload of a message whose topic matched; on return `readings` is not
    /// empty, complete (the first reading alone has `isFirstInMessage` set). May leave
    /// readings behind when it throws; `decode` clears them.
    private func decodeReadings(
        _ found: TopicMatcher.Found, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer,
        arrivalMs: Int64
    ) throws(RejectReason) {
        // The template's unit is what a numeric timestamp in the payload counts.
        let unit = found.timestampUnit
        let match = found.match
        switch found.format {
        case .json: try decodeJSON(topic: topic, match: match, payload: payload, unit: unit, arrivalMs: arrivalMs)
        case .value: try decodeValue(topic: topic, match: match, payload: payload, arrivalMs: arrivalMs)
        case .influx:
            let tags = InfluxLineScanner.TagKeys(site: found.siteTag, device: found.deviceTag)
            try decodeInflux(topic: topic, match: match, payload: payload, unit: unit, tags: tags, arrivalMs: arrivalMs)
        }
        guard !buffer.isEmpty else { throw .noMetrics }
        let limit = arrivalMs + limits.maxFutureSkewMs
        let all = buffer.readings
        all[0].isFirstInMessage = true
        for r in all where r.eventTimeMs > limit { throw .tooFarFuture }
    }

    // MARK: formats

    private func decodeJSON(
        topic: UnsafeRawBufferPointer, match: TopicTemplate.Match, payload: UnsafeRawBufferPointer,
        unit: TimestampUnit, arrivalMs: Int64
    ) throws(RejectReason) {
        try setTags(topic: topic, match: match)
        var sink = JSONSink(decoder: self)
        let header = try json.scan(payload, timestampUnit: unit, into: &sink)
        // A metric given twice counts once, with its last value (as `ts` and `seq` do).
        buffer.truncate(to: lastPerSeries.keepLast(in: buffer.readings))
        let time = header.timestampMs ?? arrivalMs
        let seq = header.seq ?? Reading.noSeq
        let all = buffer.readings
        for i in all.indices {
            all[i].eventTimeMs = time
            all[i].seq = seq
            all[i].arrivalMs = arrivalMs
        }
    }

    private func decodeValue(
        topic: UnsafeRawBufferPointer, match: TopicTemplate.Match, payload: UnsafeRawBufferPointer, arrivalMs: Int64
    ) throws(RejectReason) {
        try setTags(topic: topic, match: match)
        switch NumberScanner.scanValuePayload(payload) {
        case .malformed: throw .badNumber
        case .nonFinite: throw .nonFinite
        case .number(let v, _):
            let metric = UnsafeRawBufferPointer(rebasing: topic[match.metric])
            try addReading(metric: metric, value: v, time: arrivalMs, arrivalMs: arrivalMs)
        }
    }

    private func decodeInflux(
        topic: UnsafeRawBufferPointer, match: TopicTemplate.Match, payload: UnsafeRawBufferPointer,
        unit: TimestampUnit, tags: InfluxLineScanner.TagKeys, arrivalMs: Int64
    ) throws(RejectReason) {
        var sink = InfluxSink(decoder: self, topic: topic, match: match, arrivalMs: arrivalMs)
        try influx.scan(payload, precision: unit, tags: tags, into: &sink)
    }

    // MARK: building readings

    /// Takes the tags from the topic; `bad_tag` if one is bad.
    @inline(__always)
    private func setTags(topic: UnsafeRawBufferPointer, match: TopicTemplate.Match) throws(RejectReason) {
        try setTags(site: UnsafeRawBufferPointer(rebasing: topic[match.site]),
                    device: UnsafeRawBufferPointer(rebasing: topic[match.device]))
    }

    /// Makes `site` and `device` the tags of the readings added next; `bad_tag` if one is bad.
    /// A pair the cache knows was checked when its first series was registered.
    fileprivate func setTags(site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer) throws(RejectReason) {
        if let known = cache.owner(site: site, device: device) {
            owner = known
        } else {
            guard TagRules.isValid(site), TagRules.isValid(device) else { throw .badTag }
            owner = -1
        }
        self.site = site
        self.device = device
    }

    /// Appends a reading of `metric` under the tags set last; `bad_tag` if the metric name is
    /// bad, `series_limit` if the registry refuses a new series. A metric the cache knows
    /// was checked when its series was registered.
    @inline(__always)
    fileprivate func addReading(metric: UnsafeRawBufferPointer, value: Double, time: Int64, arrivalMs: Int64) throws(RejectReason) {
        let entry: SeriesKeyCache.Entry
        if owner >= 0, let hit = cache.series(owner: owner, metric: metric) {
            entry = hit
        } else {
            guard TagRules.isValid(metric) else { throw .badTag }
            guard let registered = cache.register(site: site, device: device, metric: metric) else { throw .seriesLimit }
            entry = registered
            owner = registered.owner
        }
        buffer.append(Reading(
            series: entry.series, device: entry.device, eventTimeMs: time, value: value, isFirstInMessage: false,
            arrivalMs: arrivalMs))
    }

    /// `addReading` answering its rejection instead of throwing it (for a call through
    /// `_withUnsafeGuaranteedRef`, whose closure cannot throw a typed error).
    @inline(__always)
    fileprivate func reading(metric: UnsafeRawBufferPointer, value: Double) -> RejectReason? {
        do throws(RejectReason) {
            try addReading(metric: metric, value: value, time: 0, arrivalMs: 0)
            return nil
        } catch {
            return error
        }
    }

    private struct JSONSink: MetricSink {
        // Lives only during the decoder's own `scan` call. Unmanaged, and used through
        // `_withUnsafeGuaranteedRef`: an `unowned(unsafe)` reference was still retained and
        // released around every call (measured: a tenth of the replay thread).
        let decoder: Unmanaged<MessageDecoder>
        init(decoder: MessageDecoder) { self.decoder = .passUnretained(decoder) }
        mutating func metric(name: UnsafeRawBufferPointer, value: Double) throws(RejectReason) {
            // Time, seq and arrival come from the header and the end; `decodeJSON` sets them.
            if let reason = decoder._withUnsafeGuaranteedRef({ $0.reading(metric: name, value: value) }) {
                throw reason
            }
        }
    }

    private struct InfluxSink: InfluxLineScanner.Sink {
        unowned(unsafe) let decoder: MessageDecoder
        let topic: UnsafeRawBufferPointer
        let match: TopicTemplate.Match
        let arrivalMs: Int64

        mutating func influxMetric(
            site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer,
            name: UnsafeRawBufferPointer, value: Double, timestampMs: Int64?
        ) throws(RejectReason) {
            let s = match.hasSite ? UnsafeRawBufferPointer(rebasing: topic[match.site]) : site
            let d = match.hasDevice ? UnsafeRawBufferPointer(rebasing: topic[match.device]) : device
            try decoder.setTags(site: s, device: d)
            try decoder.addReading(metric: name, value: value, time: timestampMs ?? arrivalMs, arrivalMs: arrivalMs)
        }
    }
}
