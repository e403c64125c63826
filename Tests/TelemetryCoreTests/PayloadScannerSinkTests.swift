import Testing
@testable import TelemetryCore

/// A sink that records metric names and throws `reason` at the metric numbered `throwAt`.
private struct RecordingSink: MetricSink, InfluxLineScanner.Sink {
    var names: [String] = []
    var throwAt: Int? = nil
    var reason: RejectReason = .seriesLimit

    mutating func metric(name: UnsafeRawBufferPointer, value: Double) throws(RejectReason) {
        if names.count == throwAt { throw reason }
        names.append(String(decoding: name, as: UTF8.self))
    }

    mutating func influxMetric(
        site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer,
        name: UnsafeRawBufferPointer, value: Double, timestampMs: Int64?
    ) throws(RejectReason) {
        try metric(name: name, value: value)
    }
}

private func scanJSON(_ text: String, into sink: inout RecordingSink) throws(RejectReason) -> JSONPayloadScanner.Header {
    var scanner = JSONPayloadScanner()
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBytes { b in Result { () throws(RejectReason) in try scanner.scan(b, timestampUnit: .milliseconds, into: &sink) } }.get()
}

private func scanInflux(_ text: String, into sink: inout RecordingSink) throws(RejectReason) {
    var scanner = InfluxLineScanner()
    let bytes = Array(text.utf8)
    try bytes.withUnsafeBytes { b in Result { () throws(RejectReason) in try scanner.scan(b, precision: .nanoseconds, tags: InfluxLineScanner.defaultTagKeys, into: &sink) } }.get()
}

@Suite struct PayloadScannerSinkTests {
    @Test func jsonScanReturnsTheHeaderAndHandsEveryMetricToTheSink() throws {
        var sink = RecordingSink()
        let header = try scanJSON(#"{"seq": 4, "a": 1, "b": {"c": 2}, "ts": 7}"#, into: &sink)
        #expect(header == JSONPayloadScanner.Header(timestampMs: 7, seq: 4))
        #expect(sink.names == ["a", "b.c"])
    }

    @Test func jsonScanRethrowsTheReasonTheSinkThrowsAndStops() {
        var sink = RecordingSink(throwAt: 1, reason: .seriesLimit)
        #expect(throws: RejectReason.seriesLimit) { try scanJSON(#"{"a": 1, "b": 2, "c": 3}"#, into: &sink) }
        #expect(sink.names == ["a"])
    }

    @Test func jsonScanThrowsItsOwnReasonForAMalformedPayload() {
        var sink = RecordingSink()
        #expect(throws: RejectReason.badJSON) { try scanJSON(#"{"a": 1"#, into: &sink) }
    }

    @Test func influxScanRethrowsTheReasonTheSinkThrowsAndStops() {
        var sink = RecordingSink(throwAt: 1, reason: .badTag)
        #expect(throws: RejectReason.badTag) { try scanInflux("m a=1,b=2\nm c=3", into: &sink) }
        #expect(sink.names == ["m.a"])
    }

    @Test func influxScanThrowsItsOwnReasonForAMalformedLine() {
        var sink = RecordingSink()
        #expect(throws: RejectReason.badLineProtocol) { try scanInflux("m", into: &sink) }
    }
}
