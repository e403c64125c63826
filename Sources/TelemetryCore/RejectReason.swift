/// Why a message (or, for `tooLate`, a reading) was not taken into the rollups.
///
/// Every rejected message is counted under exactly one reason and written to the
/// dead-letter file with it. The raw values are the names used in files and status.
public enum RejectReason: String, Error, Sendable, CaseIterable, Hashable, Comparable {
    /// The topic matches no configured template.
    case noTemplate = "no_template"
    /// A tag taken from the topic (or an Influx tag) is empty, longer than 128 bytes, or
    /// contains `/`, `..`, a control character or NUL.
    case badTag = "bad_tag"
    /// The payload (or a topic) is not valid UTF-8.
    case notUTF8 = "not_utf8"
    /// The payload is not a JSON object, or is not well-formed JSON.
    case badJSON = "bad_json"
    /// A number is malformed, or a `value` payload is not a number.
    case badNumber = "bad_number"
    /// A number is NaN or infinite, or too large for a double.
    case nonFinite = "non_finite"
    /// The message decodes but contains no metric.
    case noMetrics = "no_metrics"
    /// The payload is larger than the configured limit.
    case tooLarge = "too_large"
    /// The event time is more than the allowed skew ahead of the ingest clock.
    case tooFarFuture = "too_far_future"
    /// The reading's windows have all been closed already (counted per reading).
    case tooLate = "too_late"
    /// `ts` (or an Influx timestamp) is present but is neither a number that its template's
    /// ``TimestampUnit`` makes a time of years 0000–9999 nor RFC 3339 text of such a time.
    case badTimestamp = "bad_timestamp"
    /// `seq` is present but is not a non-negative integer.
    case badSeq = "bad_seq"
    /// An Influx line protocol payload does not follow the protocol.
    case badLineProtocol = "bad_line_protocol"
    /// The message would create a new series beyond the configured series limit.
    case seriesLimit = "series_limit"
    /// A line of a replayed capture is not `<seconds> <topic> <payload>`.
    case badCaptureLine = "bad_capture_line"

    public static func < (a: RejectReason, b: RejectReason) -> Bool { a.rawValue < b.rawValue }
}
