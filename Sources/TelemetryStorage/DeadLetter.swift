package import TelemetryCore

/// A message (or, for `too_late`, a reading) that did not make it into the rollups, as it
/// is written to `deadletter/<YYYY-MM-DD>.jsonl`.
///
/// A `too_large` message keeps only the first ``keptPayloadBytes`` of its payload (cut back
/// by up to three bytes to a whole UTF-8 character when the kept bytes are text), and ``payloadBytes`` says how
/// long it really was: a payload over the limit may be any size, and a dead letter must
/// still fit the sink's buffer and a line a person can read. Every other payload is kept whole.
///
/// Threading: a value type.
package struct DeadLetter: Sendable, Equatable {
    /// Payload bytes a `too_large` dead letter keeps: 4 KiB.
    package static let keptPayloadBytes = 4_096

    package var receivedMs: Int64
    package var topic: [UInt8]
    package var reason: RejectReason
    /// The payload, or for a `too_large` message its first ``keptPayloadBytes``.
    package var payload: [UInt8]
    /// The length of the payload as received (more than `payload.count` when truncated).
    package var payloadBytes: Int

    /// Whether `payload` is only the start of what was received.
    package var isTruncated: Bool { payloadBytes > payload.count }

    /// A dead letter of `payload` (any collection of bytes, e.g. the decoder's buffer, so a
    /// huge payload is never copied whole: only what is kept is).
    package init(receivedMs: Int64, topic: [UInt8], reason: RejectReason, payload: some Collection<UInt8>) {
        self.receivedMs = receivedMs
        self.topic = topic
        self.reason = reason
        self.payloadBytes = payload.count
        if reason == .tooLarge, payload.count > Self.keptPayloadBytes {
            self.payload = Self.textSafePrefix(Array(payload.prefix(Self.keptPayloadBytes)))
        } else {
            self.payload = Array(payload)
        }
    }

    /// `bytes`, less up to three bytes at the end when that makes them UTF-8: the kept
    /// start of a text payload stays text (written as `payload`) though the cut fell inside
    /// a character. Otherwise the bytes as they are (written as `payload_base64`).
    private static func textSafePrefix(_ bytes: [UInt8]) -> [UInt8] {
        for cut in 0...3 where cut < bytes.count {
            let kept = bytes[..<(bytes.count - cut)]
            if kept.withUnsafeBytes({ UTF8Validation.isValid($0) }) { return Array(kept) }
        }
        return bytes
    }

    /// The JSON line: `received`, `topic`, `reason`, and `payload` (text) or
    /// `payload_base64` (when the payload is not UTF-8), written by ``JSONWriter``; a
    /// truncated payload adds `"payload_truncated":true` and `"payload_bytes":<received length>`.
    package func jsonLine() -> [UInt8] {
        var w = JSONWriter(reservingCapacity: payload.count + topic.count + 128)
        w.beginObject()
        w.key("received"); w.string(UTCTimestamp.format(milliseconds: receivedMs))
        w.key("topic"); w.string(String(decoding: topic, as: UTF8.self))
        w.key("reason"); w.string(reason.rawValue)
        if payload.withUnsafeBytes({ UTF8Validation.isValid($0) }) {
            w.key("payload"); w.string(String(decoding: payload, as: UTF8.self))
        } else {
            w.key("payload_base64"); w.string(String(decoding: Base64.encode(payload), as: UTF8.self))
        }
        if isTruncated {
            w.key("payload_truncated"); w.bool(true)
            w.key("payload_bytes"); w.integer(Int64(payloadBytes))
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
