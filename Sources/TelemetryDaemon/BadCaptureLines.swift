package import TelemetryCore

/// The lines of one capture file that were not capture lines (dead-lettered as
/// `bad_capture_line`), told to a person with what to do about them.
///
/// In a `raw` capture such lines are almost always the continuation of a payload that spans
/// lines (Telegraf batches several Influx lines in one message, and `mosquitto_sub -F '%U %t
/// %p'` prints them as they are): the message's first line was replayed alone and the rest
/// is lost. The remedy is a `hex` capture. In a `hex` capture a bad line is one whose
/// payload is not an even number of hex digits (a `%p` capture, or a topic with a space).
///
/// Threading: a value type.
package struct BadCaptureLines: Sendable, Equatable, CustomStringConvertible {
    /// The capture file.
    package var path: String
    /// How its payloads were read.
    package var encoding: CapturePayloadEncoding
    /// How many lines were bad.
    package var count: Int
    /// The 1-based number of the first bad line.
    package var firstLine: Int

    package init(path: String, encoding: CapturePayloadEncoding, count: Int, firstLine: Int) {
        self.path = path
        self.encoding = encoding
        self.count = count
        self.firstLine = firstLine
    }

    package var description: String {
        let lines = count == 1 ? "1 line is" : "\(count) lines are"
        let head = "capture \(path): \(lines) not '<unix seconds> <topic> <payload>' (the first is line \(firstLine)), "
            + "dead-lettered as bad_capture_line"
        switch encoding {
        case .raw:
            return head + ". Such a line is usually the continuation of a payload that spans lines (Telegraf "
                + "sends several Influx lines in one message); its first line was replayed alone and the rest lost. "
                + "A raw capture ('\(CapturePayloadEncoding.raw.mosquittoFormat)') holds only payloads without a newline: "
                + "record with mosquitto_sub -F '\(CapturePayloadEncoding.hex.mosquittoFormat)' (or telemetry-sim record "
                + "--payload-encoding hex) and replay with --payload-encoding hex"
        case .hex:
            return head + ". In a hex capture ('\(CapturePayloadEncoding.hex.mosquittoFormat)') the payload is an even "
                + "number of hex digits: was it recorded with '%p' (then replay without --payload-encoding hex), "
                + "or does a topic contain a space (which no capture line can hold)?"
        }
    }
}
