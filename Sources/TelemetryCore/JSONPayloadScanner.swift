/// Receives the metrics a payload scanner finds, in payload order.
///
/// `name` is only valid during the call (it points into the scanner's scratch buffer).
public protocol MetricSink {
    /// Called once per metric; return `false` to stop scanning (the sink has failed).
    mutating func metric(name: UnsafeRawBufferPointer, value: Double) -> Bool
}

/// A single-pass scanner of JSON telemetry payloads straight from bytes.
///
/// It accepts one JSON object, flat or nested. Numeric fields are metrics whose names are
/// the keys on the path joined with `.` (`{"power":{"active":1.5}}` gives `power.active`);
/// a top-level `ts` (epoch milliseconds as a number, or RFC 3339 text) and `seq` (a
/// non-negative integer) are read as the event time and sequence number instead; strings,
/// booleans, null and arrays are skipped (arrays are still checked for well-formedness).
/// The payload must already be known to be valid UTF-8.
///
/// Threading: owned by one ingest thread (it keeps a reusable key buffer); not `Sendable`.
public struct JSONPayloadScanner {
    /// What the scan found besides the metrics.
    public struct Header: Equatable, Sendable {
        public var timestampMs: Int64?
        public var seq: Int64?
    }

    /// Deepest nesting accepted; deeper payloads are `bad_json`.
    public static let maxDepth = 32

    private var path: [UInt8] = []

    public init() { path.reserveCapacity(256) }

    /// Scans `payload`, handing each metric to `sink`.
    ///
    /// Returns the header, or the reason the payload is rejected. On rejection the sink may
    /// already have received some metrics; the caller discards them.
    public mutating func scan<S: MetricSink>(
        _ payload: UnsafeRawBufferPointer, into sink: inout S
    ) -> Result<Header, RejectReason> {
        var cursor = Cursor(bytes: payload)
        var header = Header()
        path.removeAll(keepingCapacity: true)
        cursor.skipSpace()
        guard cursor.peek == 0x7B else { return .failure(.badJSON) }
        if let failure = scanObject(&cursor, depth: 1, header: &header, sink: &sink) {
            return .failure(failure)
        }
        cursor.skipSpace()
        guard cursor.atEnd else { return .failure(.badJSON) }
        return .success(header)
    }

    private mutating func scanObject<S: MetricSink>(
        _ c: inout Cursor, depth: Int, header: inout Header, sink: inout S
    ) -> RejectReason? {
        guard depth <= Self.maxDepth else { return .badJSON }
        c.advance()  // {
        c.skipSpace()
        if c.peek == 0x7D { c.advance(); return nil }
        let base = path.count
        while true {
            c.skipSpace()
            guard c.peek == 0x22 else { return .badJSON }
            if base > 0 { path.append(0x2E) }
            guard readKey(&c) else { return .badJSON }
            c.skipSpace()
            guard c.peek == 0x3A else { return .badJSON }
            c.advance()
            c.skipSpace()
            let keyIsTop = depth == 1
            // A top-level `ts`/`seq` of a kind it cannot be (object, array, boolean; text for
            // `seq`) is rejected with its own reason, not skipped.
            let wrongKind: RejectReason? =
                !keyIsTop ? nil : pathEquals("ts") ? .badTimestamp : pathEquals("seq") ? .badSeq : nil
            switch c.peek {
            case 0x7B:
                if let wrongKind { return c.skipValue(depth: depth, maxDepth: Self.maxDepth) ? wrongKind : .badJSON }
                if let r = scanObject(&c, depth: depth + 1, header: &header, sink: &sink) { return r }
            case 0x22:
                if keyIsTop, pathEquals("ts") {
                    guard let ts = readTimestampString(&c) else { return .badTimestamp }
                    header.timestampMs = ts
                } else {
                    guard c.skipString() else { return .badJSON }
                    if let wrongKind { return wrongKind }
                }
            case 0x5B:
                guard c.skipArray(depth: depth + 1, maxDepth: Self.maxDepth) else { return .badJSON }
                if let wrongKind { return wrongKind }
            case 0x74:
                guard c.skipWord("true") else { return .badJSON }
                if let wrongKind { return wrongKind }
            case 0x66:
                guard c.skipWord("false") else { return .badJSON }
                if let wrongKind { return wrongKind }
            case 0x6E:
                guard c.skipWord("null") else { return .badJSON }
                if keyIsTop, pathEquals("ts") || pathEquals("seq") {
                    // An explicit null means "absent".
                }
            case nil: return .badJSON
            case let b? where b != 0x2D && b &- 0x30 > 9: return .badJSON
            default:
                var i = c.index
                let r = NumberScanner.scanJSON(c.bytes, at: &i)
                c.index = i
                switch r {
                case .malformed: return .badNumber
                case .nonFinite:
                    if keyIsTop, pathEquals("ts") { return .badTimestamp }
                    if keyIsTop, pathEquals("seq") { return .badSeq }
                    return .nonFinite
                case .number(let v, let integer):
                    if keyIsTop, pathEquals("ts") {
                        guard v >= 0, v < 253_402_300_800_000 else { return .badTimestamp }
                        header.timestampMs = Int64(v.rounded(.down))
                    } else if keyIsTop, pathEquals("seq") {
                        guard let s = integer, s >= 0 else { return .badSeq }
                        header.seq = s
                    } else {
                        let ok = path.withUnsafeBytes { sink.metric(name: $0, value: v) }
                        if !ok { return .badTag }
                    }
                }
            }
            path.removeSubrange(base...)
            c.skipSpace()
            switch c.peek {
            case 0x2C: c.advance()
            case 0x7D: c.advance(); return nil
            default: return .badJSON
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
    private mutating func readKey(_ c: inout Cursor) -> Bool {
        c.readString(appendingTo: &path) == .exact
    }

    private func readTimestampString(_ c: inout Cursor) -> Int64? {
        let start = c.index + 1
        guard c.skipString() else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: c.bytes[start..<(c.index - 1)])
        return UTCTimestamp.parse(bytes: text)
    }
}

/// The scanner reads with the shared JSON lexer (`JSONLexer.swift`).
typealias Cursor = JSONLexer
