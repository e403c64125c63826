// libFuzzer target: one MQTT message through `MessageDecoder` (JSON, value and Influx line
// payloads, and arbitrary topics), checking the decoder's promises after every message.
//
// Input layout: byte 0 chooses the message's shape, the rest is the payload.
//   bits 0-2  the topic: 0 json (ts_unit=auto), 1 value, 2 influx with the site in the topic
//             (precision=ns), 3 influx with site and device from the line and timestamps in
//             seconds (precision=s), 4+ a topic taken from the input (the next
//             byte is its length, the topic follows, then the payload)
//   bit 3     the payload limit: the default 64 KiB, or 2 MiB (as `limits.max_payload_bytes`
//             may set it), so that megabyte payloads are decoded rather than refused
//   bits 4-5  the arrival time: a 2025 clock, 0, the first or the last instant of the
//             event-time range (years 0000 and 9999)
import TelemetryCore

/// Stops the run, naming the broken promise (kept in release builds, unlike
/// `precondition`'s message), so that libFuzzer records the input.
private func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

private let templates: [TopicTemplate] = TopicTemplate.defaults + [
    try! TopicTemplate(pattern: "vn/{site}/influx", format: .influx),
    try! TopicTemplate(pattern: "lines", format: .influx, timestampUnit: .seconds),
]

private let fixedTopics: [[UInt8]] = [
    Array("vn/hn/aq-hanoi-001/telemetry".utf8),
    Array("vn/hn/aq-hanoi-001/pm25".utf8),
    Array("vn/dn/influx".utf8),
    Array("lines".utf8),
]

private let arrivals: [Int64] = [
    1_750_000_000_000, 0, UTCTimestamp.eventTimeRange.lowerBound, UTCTimestamp.eventTimeRange.upperBound,
]

/// What one decode gave: its readings, or the reason it threw.
private enum Outcome: Equatable {
    case readings([Reading])
    case rejected(RejectReason)
}

private func decodeOnce(
    _ decoder: MessageDecoder, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, arrivalMs: Int64
) -> Outcome {
    do throws(RejectReason) {
        try decoder.decode(topic: topic, payload: payload, arrivalMs: arrivalMs)
        return .readings(decoder.readings)
    } catch {
        require(decoder.readings.isEmpty, "a rejected message (\(error)) left \(decoder.readings.count) readings")
        return .rejected(error)
    }
}

private func check(
    _ outcome: Outcome, format: PayloadFormat?, payloadCount: Int, limits: DecodeLimits,
    arrivalMs: Int64, registry: SeriesRegistry
) {
    if payloadCount > limits.maxPayloadBytes {
        require(outcome == .rejected(.tooLarge), "a payload over the limit gave \(outcome)")
    }
    guard case .readings(let readings) = outcome else { return }
    require(!readings.isEmpty, "a decoded message has no reading")
    // Every reading needs a few bytes of payload: `1` (value), `,"a":1` (JSON), `,a=1` (Influx).
    require(readings.count <= max(1, payloadCount / 4),
                 "\(readings.count) readings from a payload of \(payloadCount) bytes")
    require(readings[0].isFirstInMessage, "the first reading does not start its message")
    let seriesCount = registry.seriesCount, deviceCount = registry.deviceCount
    var seen = Set<SeriesID>()
    for (i, r) in readings.enumerated() {
        require(i == 0 || !r.isFirstInMessage, "reading \(i) claims to start the message")
        require(r.value.isFinite, "reading \(i) has the non-finite value \(r.value)")
        require(Int(r.series) < seriesCount && Int(r.device) < deviceCount, "reading \(i) has unknown ids")
        require(UTCTimestamp.eventTimeRange.contains(r.eventTimeMs), "event time \(r.eventTimeMs) out of range")
        require(r.eventTimeMs <= arrivalMs + limits.maxFutureSkewMs, "event time \(r.eventTimeMs) too far ahead")
        require(r.seq == Reading.noSeq || r.seq >= 0, "negative seq \(r.seq)")
        require(r.seq == readings[0].seq, "readings of one message disagree on seq")
        if format == .json {
            require(seen.insert(r.series).inserted, "a JSON message has two readings of one series")
            require(r.eventTimeMs == readings[0].eventTimeMs, "readings of one JSON message disagree on time")
        }
    }
    if format == .value { require(readings.count == 1, "a value message gave \(readings.count) readings") }
    for key in registry.keys(from: 0) {
        for tag in [key.site, key.device, key.metric] {
            var tag = tag
            require(tag.withUTF8 { TagRules.isValid(UnsafeRawBufferPointer($0)) }, "registered the bad tag \(tag.debugDescription)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    guard let shape = input.first else { return 0 }
    var rest = UnsafeRawBufferPointer(rebasing: input[1...])
    let topicChoice = Int(shape & 7)
    var ownTopic: [UInt8] = []
    if topicChoice < fixedTopics.count {
        ownTopic = fixedTopics[topicChoice]
    } else {
        guard let length = rest.first else { return 0 }
        let end = min(rest.count, 1 + Int(length))
        ownTopic = Array(rest[1..<end])
        rest = UnsafeRawBufferPointer(rebasing: rest[end...])
    }
    let limits = shape & 8 == 0 ? DecodeLimits() : DecodeLimits(maxPayloadBytes: 2 << 20)
    let arrivalMs = arrivals[Int(shape >> 4) & 3]
    // A fresh registry and decoder per input: each run is reproducible from its input alone.
    let registry = SeriesRegistry()
    let decoder = MessageDecoder(templates: templates, registry: registry, limits: limits)
    ownTopic.withUnsafeBytes { topicBytes in
        let format = templates.first { $0.match(topicBytes) != nil }?.format
        let first = decodeOnce(decoder, topic: topicBytes, payload: rest, arrivalMs: arrivalMs)
        check(first, format: format, payloadCount: rest.count, limits: limits, arrivalMs: arrivalMs, registry: registry)
        // The decoder reuses its scratch buffers and series cache: the same message again
        // must decode the same way.
        let second = decodeOnce(decoder, topic: topicBytes, payload: rest, arrivalMs: arrivalMs)
        require(first == second, "decoding the same message twice gave \(first) then \(second)")
    }
    return 0
}
