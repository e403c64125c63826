import TelemetryCore
/// What a recording produced: the basis of `telemetry-sim record`'s summary line.
/// Threading: a value type; `Sendable`.
package struct RecordSummary: Sendable, Hashable, CustomStringConvertible {
    package var configuration: FleetConfiguration
    /// Lines written (messages, duplicates included).
    package var messages: Int
    /// Bytes written.
    package var bytes: Int64
    package var faults: FaultCounts

    package init(configuration: FleetConfiguration, messages: Int, bytes: Int64, faults: FaultCounts) {
        self.configuration = configuration
        self.messages = messages
        self.bytes = bytes
        self.faults = faults
    }

    /// One line, e.g. `wrote 7200 messages from 20 devices (2026-11-24T00:00:00Z + 1h,
    /// every 10s, seed 1); faults 0: malformed=0 duplicate=0 gap=0 out_of_order=0 late=0`.
    package var description: String {
        let c = configuration
        var text = "wrote \(messages) messages from \(c.devices) devices"
        text += " (\(UTCTimestamp.formatSeconds(milliseconds: c.startMs)) + \(DurationParser.format(milliseconds: c.durationMs))"
        text += ", every \(DurationParser.format(milliseconds: c.intervalMs)), seed \(c.seed))"
        text += "; faults \(faults.total): \(faults)"
        if faults.seqsSkipped > 0 { text += " (seqs skipped \(faults.seqsSkipped))" }
        return text
    }
}
