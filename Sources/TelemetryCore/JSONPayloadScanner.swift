/// Receives the metrics a payload scanner finds, in payload order.
///
/// `name` is only valid during the call (it points into the scanner's scratch buffer).
package protocol MetricSink {
    /// Called once per metric. Throwing stops the scan; the scanner rethrows the reason as
    /// the reason the whole payload is rejected.
    mutating func metric(name: UnsafeRawBufferPointer, value: Double) throws(RejectReason)
}

/// A single-pass scanner of JSON telemetry payloads straight from bytes.
///
/// It accepts one JSON object, flat or nested. Numeric fields are metrics whose names are
/// the keys on the path joined with `.` (`{"power":{"active":1.5}}` gives `power.active`);
/// a top-level `ts` (a non-negative number in the scan's ``TimestampUnit``, or RFC 3339 text;
/// either within ``UTCTimestamp/eventTimeRange``) and `seq` (a non-negative integer) are read
/// as the event time and sequence number instead; strings,
/// booleans, null and arrays are skipped (arrays are still checked for well-formedness).
/// The payload must already be known to be valid UTF-8.
///
/// Errors: the scan throws the `RejectReason` for the payload; the small lexing steps below
/// it (here and on `JSONLexer`) answer whether they could lex, and the scan turns a no into
/// the reason.
///
/// Threading: owned by one ingest thread (it keeps a reusable key buffer); not `Sendable`.
package struct JSONPayloadScanner {
    /// What the scan found besides the metrics.
    package struct Header: Equatable, Sendable {
        package var timestampMs: Int64?
        package var seq: Int64?
    }

    /// Deepest nesting accepted; deeper payloads are `bad_json`.
    package static let maxDepth = 32

    private var path: [UInt8] = []

    package init() { path.reserveCapacity(256) }

    /// Scans `payload`, handing each metric to `sink`, and returns the header; a numeric `ts`
    /// counts `timestampUnit` (the template's `ts_unit`).
    ///
    /// Throws the reason the payload is rejected (or the reason `sink` threw). On rejection
    /// the sink may already have received some metrics; the caller discards them.
    package mutating func scan<S: MetricSink>(
        _ payload: UnsafeRawBufferPointer, timestampUnit: TimestampUnit, into sink: inout S
    ) throws(RejectReason) -> Header {
        var cursor = JSONLexer(bytes: payload)
        var header = Header()
        path.removeAll(keepingCapacity: true)
        cursor.skipSpace()
        guard cursor.peek == 0x7B else { throw .badJSON }
        try scanObject(&cursor, depth: 1, unit: timestampUnit, header: &header, sink: &sink)
        cursor.skipSpace()
        guard cursor.atEnd else { throw .badJSON }
        return header
    }

    private mutating func scanObject<S: MetricSink>(
        _ c: inout JSONLexer, depth: Int, unit: TimestampUnit, header: inout Header, sink: inout S
    ) throws(RejectReason) {
        guard depth <= Self.maxDepth else { throw .badJSON }
        c.advance()  // {
        c.skipSpace()
        if c.peek == 0x7D { c.advance(); return }
        let base = path.count
        while true {
            c.skipSpace()
            guard c.peek == 0x22 else { throw .badJSON }
            if base > 0 { path.append(0x2E) }
            guard readKey(&c) else { throw .badJSON }
            c.skipSpace()
            guard c.peek == 0x3A else { throw .badJSON }
            c.advance()
            c.skipSpace()
            let keyIsTop = depth == 1
            // A top-level `ts`/`seq` of a kind it cannot be (object, array, boolean; text for
            // `seq`) is rejected with its own reason, not skipped.
            let wrongKind: RejectReason? =
                !keyIsTop ? nil : pathEquals("ts") ? .badTimestamp : pathEquals("seq") ? .badSeq : nil
            switch c.peek {
            case 0x7B:
                if let wrongKind { throw c.skipValue(depth: depth, maxDepth: Self.maxDepth) ? wrongKind : .badJSON }
                try scanObject(&c, depth: depth + 1, unit: unit, header: &header, sink: &sink)
            case 0x22:
                if keyIsTop, pathEquals("ts") {
                    guard let ts = readTimestampString(&c) else { throw .badTimestamp }
                    header.timestampMs = ts
                } else {
                    guard c.skipString() else { throw .badJSON }
                    if let wrongKind { throw wrongKind }
                }
            case 0x5B:
                guard c.skipArray(depth: depth + 1, maxDepth: Self.maxDepth) else { throw .badJSON }
                if let wrongKind { throw wrongKind }
            case 0x74:
                guard c.skipWord("true") else { throw .badJSON }
                if let wrongKind { throw wrongKind }
            case 0x66:
                guard c.skipWord("false") else { throw .badJSON }
                if let wrongKind { throw wrongKind }
            case 0x6E:
                guard c.skipWord("null") else { throw .badJSON }
                if keyIsTop, pathEquals("ts") || pathEquals("seq") {
                    // An explicit null means "absent".
                }
            case nil: throw .badJSON
            case let b? where b != 0x2D && b &- 0x30 > 9: throw .badJSON
            case _ where keyIsTop && pathEquals("ts"):
                // By its decimal digits, not a Double: exact for every unit (ns exceed 2^53).
                var i = c.index
                let digits = NumberScanner.scanDecimal(c.bytes, at: &i)
                c.index = i
                guard let digits else { throw .badNumber }
                // A numeric `ts` before 1970 (negative) is refused; RFC 3339 text can name one.
                guard let ms = unit.eventTimeMs(of: digits), ms >= 0 else { throw .badTimestamp }
                header.timestampMs = ms
            default:
                var i = c.index
                let r = NumberScanner.scanJSON(c.bytes, at: &i)
                c.index = i
                switch r {
                case .malformed: throw .badNumber
                case .nonFinite:
                    if keyIsTop, pathEquals("seq") { throw .badSeq }
                    throw .nonFinite
                case .number(let v, let integer):
                    if keyIsTop, pathEquals("seq") {
                        guard let s = integer, s >= 0 else { throw .badSeq }
                        header.seq = s
                    } else {
                        // `withUnsafeBytes` only rethrows untyped errors, so the reason rides out in a Result.
                        try path.withUnsafeBytes { name in
                            Result { () throws(RejectReason) in try sink.metric(name: name, value: v) }
                        }.get()
                    }
                }
            }
            path.removeSubrange(base...)
            c.skipSpace()
            switch c.peek {
            case 0x2C: c.advance()
            case 0x7D: c.advance(); return
            default: throw .badJSON
            }
        }
    }

    private func pathEquals(_ s: StaticString) -> Bool {
        guard path.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<path.count where path[i] != p[i] { return false }
        return true
    }

    /// Appends the key at the cursor (unescaped) to `path`; false when malformed or when it
    /// holds a lone surrogate (a metric name must be exactly what the device sent).
    private mutating func readKey(_ c: inout JSONLexer) -> Bool {
        c.readString(appendingTo: &path) == .exact
    }

    /// Reads the string at the cursor as an RFC 3339 timestamp; nil when it is not one or
    /// names a time outside ``UTCTimestamp/eventTimeRange`` (an offset can carry
    /// `9999-12-31T23:59:59-00:01` into year 10000).
    private func readTimestampString(_ c: inout JSONLexer) -> Int64? {
        let start = c.index + 1
        guard c.skipString() else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: c.bytes[start..<(c.index - 1)])
        guard let ms = UTCTimestamp.parse(bytes: text), UTCTimestamp.eventTimeRange.contains(ms) else { return nil }
        return ms
    }
}
