package import TelemetryCore

/// Records a simulated fleet into a capture file: the `telemetry-sim record` operation.
/// Threading: stateless; each call owns its generator and writer.
package enum CaptureRecorder {
    /// Generates every message of `configuration` in arrival order and writes it to `path`
    /// (`-` for standard output) in capture format, payloads in `encoding`.
    package static func record(
        _ configuration: FleetConfiguration, to path: String, encoding: CapturePayloadEncoding = .raw
    ) throws -> RecordSummary {
        var generator = try FleetGenerator(configuration: configuration)
        let writer = try CaptureFileWriter(path: path)
        while let message = generator.next() {
            try writer.write(message, encoding: encoding)
        }
        try writer.close()
        return RecordSummary(
            configuration: configuration, messages: generator.messagesEmitted,
            bytes: writer.bytesWritten, faults: generator.faultCounts)
    }

    /// The whole capture of `configuration` in memory (for tests and small captures).
    package static func captureBytes(
        _ configuration: FleetConfiguration, encoding: CapturePayloadEncoding = .raw
    ) throws(FleetConfiguration.Invalid) -> (bytes: [UInt8], summary: RecordSummary) {
        var generator = try FleetGenerator(configuration: configuration)
        var bytes: [UInt8] = []
        while let message = generator.next() {
            CaptureLineFormatter.append(message, encoding: encoding, to: &bytes)
        }
        let summary = RecordSummary(
            configuration: configuration, messages: generator.messagesEmitted,
            bytes: Int64(bytes.count), faults: generator.faultCounts)
        return (bytes, summary)
    }
}
