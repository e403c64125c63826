// libFuzzer target: capture files as `telemetryd replay` reads them. The input is split into
// lines at `\n` (a trailing `\r` dropped, as the replayer does); each line goes through
// `CaptureLine.parse`, whose parts are checked, and a parsed line's message through
// `MessageDecoder` with its capture time as the arrival time.
import TelemetryCore

/// Stops the run, naming the broken promise (kept in release builds, unlike
/// `precondition`'s message), so that libFuzzer records the input.
private func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

private let templates: [TopicTemplate] = TopicTemplate.defaults + [
    try! TopicTemplate(pattern: "vn/{site}/influx", format: .influx),
]

private func isDigit(_ b: UInt8) -> Bool { b &- 0x30 <= 9 }

private func checkParts(_ parts: CaptureLine.Parts, of line: UnsafeRawBufferPointer) {
    let n = line.count
    let topic = parts.topic, payload = parts.payload
    require(!topic.isEmpty && topic.lowerBound >= 2 && topic.upperBound <= n, "topic range \(topic) of \(n) bytes")
    require(!line[topic].contains(0x20), "the topic holds a space")
    require(line[topic.lowerBound - 1] == 0x20, "the topic does not follow a space")
    require(payload.upperBound == n, "the payload \(payload) does not run to the end (\(n))")
    if topic.upperBound < n {
        require(line[topic.upperBound] == 0x20 && payload.lowerBound == topic.upperBound + 1,
                     "the payload \(payload) does not follow the topic's space")
    } else {
        require(payload.isEmpty, "a line ending in its topic has a payload")
    }
    require(UTCTimestamp.eventTimeRange.contains(parts.timeMs), "capture time \(parts.timeMs) out of range")
    // The time is digits with an optional `.digits`.
    let time = line[..<(topic.lowerBound - 1)]
    require(time.first.map(isDigit) == true, "the time does not start with a digit")
    require(time.allSatisfy { isDigit($0) || $0 == 0x2E } && time.filter { $0 == 0x2E }.count <= 1,
                 "the time field is not digits[.digits]")

    // The same parts written canonically parse back to themselves.
    var canonical = Array("\(parts.timeMs / 1000).".utf8)
    let ms = parts.timeMs % 1000
    canonical += Array((ms < 10 ? "00\(ms) " : ms < 100 ? "0\(ms) " : "\(ms) ").utf8)
    canonical += line[topic]
    if topic.upperBound < n { canonical.append(0x20); canonical += line[payload] }
    canonical.withUnsafeBytes { c in
        guard let again = CaptureLine.parse(c) else { fatalError("the canonical line does not parse") }
        require(again.timeMs == parts.timeMs, "time \(again.timeMs) after writing \(parts.timeMs)")
        require(c[again.topic].elementsEqual(line[topic]) && c[again.payload].elementsEqual(line[payload]),
                     "the canonical line splits differently")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptureLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let decoder = MessageDecoder(templates: templates, registry: SeriesRegistry())
    var start = 0
    while start <= input.count {
        var end = start
        while end < input.count, input[end] != 0x0A { end += 1 }
        var line = UnsafeRawBufferPointer(rebasing: input[start..<end])
        if let last = line.last, last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        if let parts = CaptureLine.parse(line) {
            checkParts(parts, of: line)
            do throws(RejectReason) {
                try decoder.decode(
                    topic: UnsafeRawBufferPointer(rebasing: line[parts.topic]),
                    payload: UnsafeRawBufferPointer(rebasing: line[parts.payload]), arrivalMs: parts.timeMs)
                for r in decoder.readings {
                    require(r.value.isFinite && r.eventTimeMs <= parts.timeMs + decoder.limits.maxFutureSkewMs,
                                 "a replayed reading breaks the decoder's promises: \(r)")
                }
            } catch {
                require(decoder.readings.isEmpty, "a rejected replayed message left readings")
            }
        }
        start = end + 1
    }
    return 0
}
