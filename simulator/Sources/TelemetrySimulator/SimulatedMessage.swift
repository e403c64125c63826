/// One MQTT message as a subscriber would receive it: when it arrived, its topic and its
/// payload bytes, plus what the simulator knows about it (device, seq, fault).
///
/// Invariants: `arrivalMicros >= 0`; `topic` is non-empty ASCII without spaces; `payload`
/// never contains `\n` (it may be invalid UTF-8 when `malformation == .invalidUTF8`);
/// `malformation != nil` exactly when `fault == .malformed`; `seqsSkipped > 0` exactly
/// when `fault == .gap`.
/// Threading: a value type; `Sendable`.
package struct SimulatedMessage: Sendable, Hashable {
    /// When the subscriber received it, in microseconds since the Unix epoch.
    package var arrivalMicros: Int64
    /// The MQTT topic.
    package var topic: String
    /// The payload, raw bytes.
    package var payload: [UInt8]
    /// Index of the publishing device in `Fleet.devices`.
    package var deviceIndex: Int
    /// The `seq` the payload carries; `nil` for value-format devices and malformed payloads.
    package var seq: Int64?
    /// The event time a consumer should derive: the payload's `ts` for JSON devices (2 h
    /// early for `late` faults), the arrival time (truncated to ms) for value-format devices.
    package var eventTimeMs: Int64
    /// The injected fault, if any.
    package var fault: FaultKind?
    /// How the payload or topic is broken, for `malformed` faults.
    package var malformation: Malformation?
    /// For `gap` faults, how many seq numbers were skipped just before this message.
    package var seqsSkipped: Int64

    package init(
        arrivalMicros: Int64, topic: String, payload: [UInt8], deviceIndex: Int,
        seq: Int64?, eventTimeMs: Int64, fault: FaultKind? = nil,
        malformation: Malformation? = nil, seqsSkipped: Int64 = 0
    ) {
        self.arrivalMicros = arrivalMicros
        self.topic = topic
        self.payload = payload
        self.deviceIndex = deviceIndex
        self.seq = seq
        self.eventTimeMs = eventTimeMs
        self.fault = fault
        self.malformation = malformation
        self.seqsSkipped = seqsSkipped
    }

    /// The arrival time in whole milliseconds since the epoch.
    package var arrivalMs: Int64 { arrivalMicros / 1_000 }
}
