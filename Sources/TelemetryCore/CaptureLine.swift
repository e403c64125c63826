/// One line of a capture as `mosquitto_sub -v -F '%U %t %p'` prints it:
/// `<unix seconds with fraction> <topic> <payload>`.
///
/// The payload is everything after the second space (it may itself contain spaces, and may
/// be empty). The time must lie in ``UTCTimestamp/eventTimeRange`` (up to year 9999).
/// Parsing works on the line's bytes and allocates nothing.
/// Threading: stateless.
package enum CaptureLine {
    /// The parts of a line, as byte ranges into it.
    package struct Parts: Equatable, Sendable {
        package var timeMs: Int64
        package var topic: Range<Int>
        package var payload: Range<Int>
    }

    /// Splits a line (without its `\n`); `nil` when it is not in capture format.
    package static func parse(_ line: UnsafeRawBufferPointer) -> Parts? {
        let n = line.count
        var i = 0
        var seconds: Int64 = 0
        var digits = 0
        while i < n, line[i] &- 0x30 <= 9 {
            guard digits < 12 else { return nil }
            seconds = seconds * 10 + Int64(line[i] - 0x30)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        var millis: Int64 = 0
        if i < n, line[i] == 0x2E {
            i += 1
            var fraction = 0
            while i < n, line[i] &- 0x30 <= 9 {
                if fraction < 3 { millis = millis * 10 + Int64(line[i] - 0x30) }
                fraction += 1
                i += 1
            }
            guard fraction > 0 else { return nil }
            while fraction < 3 { millis *= 10; fraction += 1 }
        }
        guard i < n, line[i] == 0x20 else { return nil }
        i += 1
        let topicStart = i
        i = ByteSearch.firstIndex(of: 0x20, in: line, from: i, to: n)
        guard i > topicStart else { return nil }
        let topic = topicStart..<i
        let payload = i < n ? (i + 1)..<n : n..<n
        let timeMs = seconds * 1_000 + millis
        // The capture time is the arrival time, an event time when a message has no `ts`.
        guard UTCTimestamp.eventTimeRange.contains(timeMs) else { return nil }
        return Parts(timeMs: timeMs, topic: topic, payload: payload)
    }
}
