package import TelemetryCore

extension DeadLetter {
    /// A dead letter read back from its line in `deadletter/<YYYY-MM-DD>.jsonl` (the format of
    /// ``jsonLine()``): `received`, `topic`, `reason`, `payload` or `payload_base64`, and for a
    /// truncated payload `payload_bytes`. Unknown members are skipped (later versions may add
    /// some); an unknown reason, a bad time or bad base64 throws.
    package init(jsonLine line: some Collection<UInt8>) throws(JSONParseError) {
        let bytes = Array(line)
        let parsed: Result<DeadLetter, JSONParseError> = bytes.withUnsafeBytes { raw in
            do throws(JSONParseError) { return .success(try Self.parse(raw)) } catch { return .failure(error) }
        }
        self = try parsed.get()
    }

    private static func parse(_ raw: UnsafeRawBufferPointer) throws(JSONParseError) -> DeadLetter {
        var lexer = JSONLexer(bytes: raw)
        var received: Int64?, topic: String?, reason: RejectReason?, payload: [UInt8]?, payloadBytes: Int?
        try lexer.readObject { key, v throws(JSONParseError) in
            switch key {
            case "received":
                guard let ms = UTCTimestamp.parse(try v.readStringValue()) else { throw v.failure("'received' is not an RFC 3339 time") }
                received = ms
            case "topic":
                topic = try v.readStringValue()
            case "reason":
                guard let r = RejectReason(rawValue: try v.readStringValue()) else { throw v.failure("unknown 'reason'") }
                reason = r
            case "payload":
                payload = Array(try v.readStringValue().utf8)
            case "payload_base64":
                guard let decoded = Base64.decode(Array(try v.readStringValue().utf8)) else {
                    throw v.failure("'payload_base64' is not base64")
                }
                payload = decoded
            case "payload_bytes":
                guard let n = Int(try v.readNumberText()), n >= 0 else { throw v.failure("'payload_bytes' is not a count") }
                payloadBytes = n
            default:
                try v.skipAnyValue()
            }
        }
        try lexer.expectEnd()
        guard let received, let topic, let reason, let payload else {
            throw JSONParseError(offset: 0, reason: "a dead letter needs received, topic, reason and payload")
        }
        var letter = DeadLetter(receivedMs: received, topic: Array(topic.utf8), reason: reason, payload: [])
        letter.payload = payload
        letter.payloadBytes = Swift.max(payloadBytes ?? payload.count, payload.count)
        return letter
    }
}
