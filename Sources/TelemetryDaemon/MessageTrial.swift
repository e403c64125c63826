package import TelemetryCore

/// What one MQTT message would become under a configuration's templates and limits — its
/// readings, or the reason it would be a dead letter — decoded by the daemon's own
/// ``MessageDecoder``, without a broker or a data directory (`telemetryd test`, like
/// `telegraf --test`).
///
/// Only the decoder is consulted: `too_late` (the windows' state) and `series_limit` (the
/// series seen so far) cannot happen in a trial; `too_far_future` is judged against the
/// arrival time given.
///
/// Threading: a value type; ``run()`` builds its own decoder and registry.
package struct MessageTrial: Sendable {
    /// One reading of the message, with its names resolved.
    package struct Reading: Sendable, Equatable {
        package var site: String
        package var device: String
        package var metric: String
        package var value: Double
        package var eventTimeMs: Int64
        /// The message's `seq`, or `nil` when it has none.
        package var seq: Int64?
    }

    /// The result of a trial.
    package enum Outcome: Sendable, Equatable {
        /// The message decodes; its readings in payload order.
        case readings([Reading])
        /// The message would be a dead letter with this reason.
        case rejected(RejectReason)
    }

    package var topic: String
    package var payload: [UInt8]
    /// The ingest clock when the message arrives (epoch ms): the event time of a message
    /// without `ts`, and the reference for `limits.max_future_skew`.
    package var arrivalMs: Int64
    package var templates: [TopicTemplate]
    package var limits: DecodeLimits

    package init(topic: String, payload: [UInt8], arrivalMs: Int64, configuration: DaemonConfiguration) {
        self.topic = topic
        self.payload = payload
        self.arrivalMs = arrivalMs
        self.templates = configuration.templates
        self.limits = configuration.limits
    }

    /// The template the topic matches (the first that does, as the decoder picks), if any.
    package var matchingTemplate: TopicTemplate? {
        let bytes = Array(topic.utf8)
        return bytes.withUnsafeBytes { raw in templates.first { $0.match(raw) != nil } }
    }

    /// Decodes the message.
    package func run() -> Outcome {
        let registry = SeriesRegistry()
        let decoder = MessageDecoder(templates: templates, registry: registry, limits: limits)
        let topicBytes = Array(topic.utf8)
        let failure: RejectReason? = topicBytes.withUnsafeBytes { t in
            payload.withUnsafeBytes { p in
                do throws(RejectReason) {
                    try decoder.decode(topic: t, payload: p, arrivalMs: arrivalMs)
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let failure { return .rejected(failure) }
        return .readings(decoder.readings.map { reading in
            let key = registry.key(of: reading.series)
            return Reading(
                site: key.site, device: key.device, metric: key.metric, value: reading.value,
                eventTimeMs: reading.eventTimeMs, seq: reading.seq == TelemetryCore.Reading.noSeq ? nil : reading.seq)
        })
    }

    /// The lines `telemetryd test` prints for `outcome`: the matching template, then one
    /// `reading site=… device=… metric=… value=… time=… [seq=…]` line per reading, or
    /// `dead letter: <reason>`.
    package func report(_ outcome: Outcome) -> [String] {
        var lines = ["template: " + (matchingTemplate.map(\.description) ?? "none matches '\(topic)'")]
        switch outcome {
        case .readings(let readings):
            for r in readings {
                var line = "reading site=\(r.site) device=\(r.device) metric=\(r.metric) value=\(r.value)"
                line += " time=\(UTCTimestamp.format(milliseconds: r.eventTimeMs))"
                if let seq = r.seq { line += " seq=\(seq)" }
                lines.append(line)
            }
        case .rejected(let reason):
            lines.append("dead letter: \(reason.rawValue)")
        }
        return lines
    }
}
