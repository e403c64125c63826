package import TelemetryCore

/// A message (or, for `too_late`, a reading) that did not make it into the rollups, as it
/// is written to `deadletter/<YYYY-MM-DD>.jsonl`.
///
/// Threading: a value type.
package struct DeadLetter: Sendable, Equatable {
    package var receivedMs: Int64
    package var topic: [UInt8]
    package var reason: RejectReason
    package var payload: [UInt8]

    package init(receivedMs: Int64, topic: [UInt8], reason: RejectReason, payload: [UInt8]) {
        self.receivedMs = receivedMs
        self.topic = topic
        self.reason = reason
        self.payload = payload
    }

    /// The JSON line: `received`, `topic`, `reason`, and `payload` (text) or
    /// `payload_base64` (when the payload is not UTF-8), written by ``JSONWriter``.
    package func jsonLine() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: payload.count + topic.count + 96)
        w.beginObject()
        w.key("received"); w.string(UTCTimestamp.format(milliseconds: receivedMs))
        w.key("topic"); w.string(String(decoding: topic, as: UTF8.self))
        w.key("reason"); w.string(reason.rawValue)
        if payload.withUnsafeBytes({ UTF8Validation.isValid($0) }) {
            w.key("payload"); w.string(String(decoding: payload, as: UTF8.self))
        } else {
            w.key("payload_base64"); w.string(String(decoding: Base64.encode(payload), as: UTF8.self))
        }
        w.endObject()
        w.bytes.append(0x0A)
        return w.bytes
    }

    /// The dead letter of a reading that every window had already closed for (`too_late`):
    /// topic `<site>/<device>`, payload `{"metric":…,"ts":"<RFC 3339>","value":…}` with
    /// `"seq":n` appended when the reading had one.
    package static func tooLate(
        site: String, device: String, metric: String, eventTimeMs: Int64, value: Double, seq: Int64?,
        receivedMs: Int64
    ) -> DeadLetter {
        var w = JSONWriter()
        w.beginObject()
        w.key("metric"); w.string(metric)
        w.key("ts"); w.string(UTCTimestamp.format(milliseconds: eventTimeMs))
        w.key("value"); w.float(value)
        if let seq { w.key("seq"); w.integer(seq) }
        w.endObject()
        return DeadLetter(
            receivedMs: receivedMs, topic: Array("\(site)/\(device)".utf8), reason: .tooLate, payload: w.bytes)
    }
}
