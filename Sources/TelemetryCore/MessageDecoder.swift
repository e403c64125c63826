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
    /// first has `isFirstInMessage` set. Valid until the next call to `decode`.
    public private(set) var readings: [Reading] = []

    private var cache: SeriesKeyCache
    private var json = JSONPayloadScanner()
    private var lastPerSeries = LastReadingPerSeries()
    private var influx = InfluxLineScanner()
    private var key: [UInt8] = []
    private var tagsEnd = 0

    public init(templates: [TopicTemplate], registry: SeriesRegistry, limits: DecodeLimits = DecodeLimits()) {
        self.templates = templates
        self.limits = limits
        self.cache = SeriesKeyCache(registry: registry)
        readings.reserveCapacity(64)
        key.reserveCapacity(512)
    }

    /// Decodes one message that arrived at `arrivalMs`; on success its readings are in
    /// `readings`. Throws the reason the message is rejected, and then `readings` is empty.
    public func decode(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64
    ) throws(RejectReason) {
        readings.removeAll(keepingCapacity: true)
        guard payload.count <= limits.maxPayloadBytes else { throw .tooLarge }
        guard UTF8Validation.isValid(topic) else { throw .notUTF8 }
        var matched: (TopicTemplate, TopicTemplate.Match)? = nil
        for t in templates {
            if let m = t.match(topic) { matched = (t, m); break }
        }
        guard let (template, match) = matched else { throw .noTemplate }
        guard UTF8Validation.isValid(payload) else { throw .notUTF8 }
        // A rejected message leaves no readings behind. (Cleanup in a `defer` rather than a
        // catch-and-rethrow, so that a rejection costs one throw, not two.)
        var decoded = false
        defer { if !decoded { readings.removeAll(keepingCapacity: true) } }
        try decodeReadings(template, topic: topic, match: match, payload: payload, arrivalMs: arrivalMs)
        decoded = true
        readings[0].isFirstInMessage = true
        for i in readings.indices { readings[i].arrivalMs = arrivalMs }
    }

    /// Decodes the payload of a message whose topic matched; on return `readings` is not
    /// empty (every reading's `isFirstInMessage` still false). May leave readings behind
    /// when it throws; `decode` clears them.
    private func decodeReadings(
        _ template: TopicTemplate, topic: UnsafeRawBufferPointer, match: TopicTemplate.Match,
        payload: UnsafeRawBufferPointer, arrivalMs: Int64
    ) throws(RejectReason) {
        // The template's unit is what a numeric timestamp in the payload counts.
        let unit = template.timestampUnit
        switch template.format {
        case .json: try decodeJSON(topic: topic, match: match, payload: payload, unit: unit, arrivalMs: arrivalMs)
        case .value: try decodeValue(topic: topic, match: match, payload: payload, arrivalMs: arrivalMs)
        case .influx: try decodeInflux(topic: topic, match: match, payload: payload, unit: unit, arrivalMs: arrivalMs)
        }
        guard !readings.isEmpty else { throw .noMetrics }
        let limit = arrivalMs + limits.maxFutureSkewMs
        for r in readings where r.eventTimeMs > limit { throw .tooFarFuture }
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
        lastPerSeries.keepLast(in: &readings)
        let time = header.timestampMs ?? arrivalMs
        let seq = header.seq ?? Reading.noSeq
        for i in readings.indices {
            readings[i].eventTimeMs = time
            readings[i].seq = seq
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
            try addReading(metric: metric, value: v, time: arrivalMs)
        }
    }

    private func decodeInflux(
        topic: UnsafeRawBufferPointer, match: TopicTemplate.Match, payload: UnsafeRawBufferPointer,
        unit: TimestampUnit, arrivalMs: Int64
    ) throws(RejectReason) {
        var sink = InfluxSink(decoder: self, topic: topic, match: match, arrivalMs: arrivalMs)
        try influx.scan(payload, precision: unit, into: &sink)
    }

    // MARK: building readings

    /// Puts `site 0 device 0` into the key buffer from the topic; `bad_tag` if a tag is bad.
    @inline(__always)
    private func setTags(topic: UnsafeRawBufferPointer, match: TopicTemplate.Match) throws(RejectReason) {
        try setTags(site: UnsafeRawBufferPointer(rebasing: topic[match.site]),
                    device: UnsafeRawBufferPointer(rebasing: topic[match.device]))
    }

    fileprivate func setTags(site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer) throws(RejectReason) {
        guard TagRules.isValid(site), TagRules.isValid(device) else { throw .badTag }
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: site)
        key.append(0)
        key.append(contentsOf: device)
        key.append(0)
        tagsEnd = key.count
    }

    /// Appends a reading of `metric` under the tags in the key buffer; `bad_tag` if the
    /// metric name is bad, `series_limit` if the registry refuses a new series.
    fileprivate func addReading(metric: UnsafeRawBufferPointer, value: Double, time: Int64) throws(RejectReason) {
        guard TagRules.isValid(metric) else { throw .badTag }
        key.removeSubrange(tagsEnd...)
        key.append(contentsOf: metric)
        guard let ids = key.withUnsafeBytes({ cache.lookup($0) }) else { throw .seriesLimit }
        readings.append(Reading(
            series: ids.series, device: ids.device, eventTimeMs: time, value: value, isFirstInMessage: false))
    }

    private struct JSONSink: MetricSink {
        unowned let decoder: MessageDecoder
        mutating func metric(name: UnsafeRawBufferPointer, value: Double) throws(RejectReason) {
            // Time and seq come from the header, known only at the end; `decodeJSON` sets them.
            try decoder.addReading(metric: name, value: value, time: 0)
        }
    }

    private struct InfluxSink: InfluxLineScanner.Sink {
        unowned let decoder: MessageDecoder
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
            try decoder.addReading(metric: name, value: value, time: timestampMs ?? arrivalMs)
        }
    }
}
