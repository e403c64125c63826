import TelemetryCore

/// A message (or, for `too_late`, a reading) that did not make it into the rollups, as it
/// is written to `deadletter/<YYYY-MM-DD>.jsonl`.
///
/// Threading: a value type.
public struct DeadLetter: Sendable, Equatable {
    public var receivedMs: Int64
    public var topic: [UInt8]
    public var reason: RejectReason
    public var payload: [UInt8]

    public init(receivedMs: Int64, topic: [UInt8], reason: RejectReason, payload: [UInt8]) {
        self.receivedMs = receivedMs
        self.topic = topic
        self.reason = reason
        self.payload = payload
    }

    /// The JSON line: `received`, `topic`, `reason`, and `payload` (text) or
    /// `payload_base64` (when the payload is not UTF-8).
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + topic.count + 96)
        out.append(contentsOf: #"{"received":""#.utf8)
        out.append(contentsOf: UTCTimestamp.format(milliseconds: receivedMs).utf8)
        out.append(contentsOf: #"","topic":"#.utf8)
        RollupEncoder.appendJSONString(String(decoding: topic, as: UTF8.self), to: &out)
        out.append(contentsOf: #","reason":"#.utf8)
        RollupEncoder.appendJSONString(reason.rawValue, to: &out)
        let isText = payload.withUnsafeBytes { UTF8Validation.isValid($0) }
        if isText {
            out.append(contentsOf: #","payload":"#.utf8)
            RollupEncoder.appendJSONString(String(decoding: payload, as: UTF8.self), to: &out)
        } else {
            out.append(contentsOf: #","payload_base64":""#.utf8)
            out.append(contentsOf: Base64.encode(payload))
            out.append(0x22)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}

/// Standard base64 (RFC 4648, with padding).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(v >> UInt32(shift) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var v = UInt32(bytes[i]) << 16
            if rest == 2 { v |= UInt32(bytes[i + 1]) << 8 }
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : 0x3D)
            out.append(0x3D)
        }
        return out
    }
}
