package import TelemetryCore

/// Writes messages in the capture format, exactly as `mosquitto_sub -F '%U %t %p'` (raw) or
/// `'%U %t %x'` (hex) prints them: `<unix seconds>.<6 fraction digits> <topic> <payload>\n`.
///
/// A raw payload is copied as its bytes (it need not be UTF-8); a hex one as two lower-case
/// hex digits a byte (``CapturePayloadEncoding``), which round-trips any payload. Invariants
/// of the output: one message per line, because simulated topics have no spaces and
/// simulated payloads no `\n` (and a hex payload never has one).
/// Threading: stateless; safe from any thread.
package enum CaptureLineFormatter {
    /// Appends the line for `message`, including the trailing `\n`.
    package static func append(
        _ message: SimulatedMessage, encoding: CapturePayloadEncoding = .raw, to out: inout [UInt8]
    ) {
        append(arrivalMicros: message.arrivalMicros, topic: message.topic, payload: message.payload,
               encoding: encoding, to: &out)
    }

    /// Appends `<seconds.micros> <topic> <payload>\n`, the payload in `encoding`; `arrivalMicros >= 0`.
    package static func append(
        arrivalMicros: Int64, topic: String, payload: [UInt8], encoding: CapturePayloadEncoding = .raw,
        to out: inout [UInt8]
    ) {
        appendTime(micros: arrivalMicros, to: &out)
        out.append(0x20)
        out.append(contentsOf: topic.utf8)
        out.append(0x20)
        switch encoding {
        case .raw: out.append(contentsOf: payload)
        case .hex: CapturePayloadEncoding.appendHex(payload, to: &out)
        }
        out.append(0x0A)
    }

    /// The line for `message`, including the trailing `\n`.
    package static func line(_ message: SimulatedMessage, encoding: CapturePayloadEncoding = .raw) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.topic.utf8.count + 2 * message.payload.count + 20)
        append(message, encoding: encoding, to: &out)
        return out
    }

    /// Appends `micros` since the epoch as seconds with six fraction digits, e.g.
    /// `1795500000.123456`; `micros >= 0`.
    package static func appendTime(micros: Int64, to out: inout [UInt8]) {
        precondition(micros >= 0, "capture times are not before the epoch")
        PayloadWriter.appendUnsigned(UInt64(micros / 1_000_000), to: &out)
        out.append(0x2E)
        var fraction = micros % 1_000_000
        let start = out.count
        out.append(contentsOf: repeatElement(0x30, count: 6))
        var i = start + 5
        while fraction > 0 {
            out[i] = UInt8(48 + fraction % 10)
            fraction /= 10
            i -= 1
        }
    }
}
