package import TelemetryCore
package import TelemetryStorage

/// Output lines for `telemetryctl deadletters`.
///
/// - JSON Lines: each letter's line exactly as in its file.
/// - CSV: `received,topic,reason,payload_bytes,payload_truncated,payload,payload_base64` via
///   ``CSVWriter``; `payload` holds a text payload whole, `payload_base64` any other.
/// - Table: received (in the display zone), reason, topic, payload (``PayloadPreview``), then
///   a blank line and the count by reason.
/// ``summary(_:format:)`` is the count by reason alone (`--summary`).
///
/// Threading: stateless. Returns strings; never prints.
package enum DeadLetterFormatter {
    /// The CSV header.
    package static let csvHeader = "received,topic,reason,payload_bytes,payload_truncated,payload,payload_base64"

    /// Every line for `result` in `format`.
    package static func render(_ result: DeadLetterListingResult, format: OutputFormat, timeZone: DisplayTimeZone = .utc) -> [String] {
        switch format {
        case .json:
            return result.entries.map(\.text)
        case .csv:
            return [csvHeader] + result.entries.map { csvLine($0.letter) }
        case .table:
            let columns: [TableRenderer.Column] = [
                .init(timeZone.header("received")), .init("reason"), .init("topic"), .init("payload"),
            ]
            let rows = result.entries.map { e in
                [
                    timeZone.tableTime(e.letter.receivedMs), e.letter.reason.rawValue,
                    String(decoding: e.letter.topic, as: UTF8.self),
                    PayloadPreview.text(e.letter.payload, totalBytes: e.letter.payloadBytes),
                ]
            }
            var lines = TableRenderer.render(columns: columns, rows: rows)
            if result.entries.count < result.matched {
                lines.append("(the newest \(result.entries.count) of \(result.matched))")
            }
            return lines + [""] + summary(result, format: .table)
        }
    }

    /// The count by reason: a table (`reason`, `count`, and a total line), JSON Lines
    /// `{"reason":…,"count":…}` or CSV `reason,count`.
    package static func summary(_ result: DeadLetterListingResult, format: OutputFormat) -> [String] {
        switch format {
        case .json:
            return result.byReason.map { item in
                var w = JSONWriter()
                w.beginObject()
                w.key("reason"); w.string(item.reason.rawValue)
                w.key("count"); w.integer(Int64(item.count))
                w.endObject()
                return String(decoding: w.bytes, as: UTF8.self)
            }
        case .csv:
            return ["reason,count"] + result.byReason.map { CSVWriter.record([$0.reason.rawValue, String($0.count)]) }
        case .table:
            let rows = result.byReason.map { [$0.reason.rawValue, String($0.count)] } + [["total", String(result.matched)]]
            return TableRenderer.render(columns: [.init("reason"), .init("count", alignRight: true)], rows: rows)
        }
    }

    /// One CSV record (no terminator).
    package static func csvLine(_ letter: DeadLetter) -> String {
        let text = String(validating: letter.payload, as: UTF8.self)
        return CSVWriter.record([
            UTCTimestamp.format(milliseconds: letter.receivedMs), String(decoding: letter.topic, as: UTF8.self),
            letter.reason.rawValue, String(letter.payloadBytes), letter.isTruncated ? "true" : "false",
            text ?? "", text == nil ? String(decoding: Base64.encode(letter.payload), as: UTF8.self) : "",
        ])
    }
}
