/// Turns one MQTT message (topic and payload bytes) into readings, or into the reason it is
/// rejected. This is the hot path: it scans bytes directly and, once warmed up, allocates
/// nothing per message.
///
/// A message is taken whole or not at all: if any part of it cannot be decoded, no reading
/// of it is produced. Without a `ts` the event time is the arrival time.
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
    private var influx = InfluxLineScanner()
    private var key: [UInt8] = []
    private var tagsEnd = 0
    private var failure: RejectReason?

    public init(templates: [TopicTemplate], registry: SeriesRegistry, limits: DecodeLimits = DecodeLimits()) {
        self.templates = templates
        self.limits = limits
        self.cache = SeriesKeyCache(registry: registry)
        readings.reserveCapacity(64)
        key.reserveCapacity(512)
    }

    /// Decodes one message that arrived at `arrivalMs`; on success the readings are in
    /// `readings`, on failure the reason is returned and `readings` is empty.
    public func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64) -> RejectReason? {
        readings.removeAll(keepingCapacity: true)
        failure = nil
        guard payload.count <= limits.maxPayloadBytes else { return .tooLarge }
        guard UTF8Validation.isValid(topic) else { return .notUTF8 }
        var matched: (TopicTemplate, TopicTemplate.Match)? = nil
        for t in templates {
            if let m = t.match(topic) { matched = (t, m); break }
        }
        guard let (template, match) = matched else { return .noTemplate }
        guard UTF8Validation.isValid(payload) else { return .notUTF8 }
        let reason: RejectReason?
        switch template.format {
        case .json: reason = decodeJSON(topic: topic, match: match, payload: payload, arrivalMs: arrivalMs)
        case .value: reason = decodeValue(topic: topic, match: match, payload: payload, arrivalMs: arrivalMs)
        case .influx: reason = decodeInflux(topic: topic, match: match, payload: payload, arrivalMs: arrivalMs)
        }
        if let reason {
            readings.removeAll(keepingCapacity: true)
            return reason
        }
        guard !readings.isEmpty else { return .noMetrics }
        let limit = arrivalMs + limits.maxFutureSkewMs
        for r in readings where r.eventTimeMs > limit {
            readings.removeAll(keepingCapacity: true)
            return .tooFarFuture
        }
        return nil
    }

    // MARK: formats

    private func decodeJSON(
        topic: UnsafeRawBufferPointer, match: TopicTemplate.Match, payload: UnsafeRawBufferPointer, arrivalMs: Int64
    ) -> RejectReason? {
        guard setTags(topic: topic, match: match) else { return .badTag }
        var sink = JSONSink(decoder: self)
        switch json.scan(payload, into: &sink) {
        case .failure(let reason): return failure ?? reason
        case .success(let header):
            let time = header.timestampMs ?? arrivalMs
            let seq = header.seq ?? Reading.noSeq
            for i in readings.indices {
                readings[i].eventTimeMs = time
                readings[i].seq = seq
            }
            return nil
        }
    }

    private func decodeValue(
        topic: UnsafeRawBufferPointer, match: TopicTemplate.Match, payload: UnsafeRawBufferPointer, arrivalMs: Int64
    ) -> RejectReason? {
        guard setTags(topic: topic, match: match) else { return .badTag }
        switch NumberScanner.scanValuePayload(payload) {
        case .malformed: return .badNumber
        case .nonFinite: return .nonFinite
        case .number(let v, _):
            let metric = UnsafeRawBufferPointer(rebasing: topic[match.metric])
            return addReading(metric: metric, value: v, time: arrivalMs)
        }
    }

    private func decodeInflux(
        topic: UnsafeRawBufferPointer, match: TopicTemplate.Match, payload: UnsafeRawBufferPointer, arrivalMs: Int64
    ) -> RejectReason? {
        var sink = InfluxSink(decoder: self, topic: topic, match: match, arrivalMs: arrivalMs)
        return influx.scan(payload, into: &sink)
    }

    // MARK: building readings

    /// Puts `site 0 device 0` into the key buffer from the topic; false if a tag is bad.
    private func setTags(topic: UnsafeRawBufferPointer, match: TopicTemplate.Match) -> Bool {
        setTags(site: UnsafeRawBufferPointer(rebasing: topic[match.site]),
                device: UnsafeRawBufferPointer(rebasing: topic[match.device]))
    }

    fileprivate func setTags(site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer) -> Bool {
        guard TagRules.isValid(site), TagRules.isValid(device) else { return false }
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: site)
        key.append(0)
        key.append(contentsOf: device)
        key.append(0)
        tagsEnd = key.count
        return true
    }

    fileprivate func addReading(metric: UnsafeRawBufferPointer, value: Double, time: Int64) -> RejectReason? {
        guard TagRules.isValid(metric) else { return .badTag }
        key.removeSubrange(tagsEnd...)
        key.append(contentsOf: metric)
        guard let ids = key.withUnsafeBytes({ cache.lookup($0) }) else { return .seriesLimit }
        readings.append(Reading(
            series: ids.series, device: ids.device, eventTimeMs: time, value: value,
            isFirstInMessage: readings.isEmpty))
        return nil
    }

    fileprivate func fail(_ reason: RejectReason) -> Bool {
        failure = reason
        return false
    }


    private struct JSONSink: MetricSink {
        unowned let decoder: MessageDecoder
        mutating func metric(name: UnsafeRawBufferPointer, value: Double) -> Bool {
            if let reason = decoder.addReading(metric: name, value: value, time: 0) { return decoder.fail(reason) }
            return true
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
        ) -> RejectReason? {
            let s = match.hasSite ? UnsafeRawBufferPointer(rebasing: topic[match.site]) : site
            let d = match.hasDevice ? UnsafeRawBufferPointer(rebasing: topic[match.device]) : device
            guard decoder.setTags(site: s, device: d) else { return .badTag }
            return decoder.addReading(metric: name, value: value, time: timestampMs ?? arrivalMs)
        }
    }
}
