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
/// Threading: owned by one ingest thread (it keeps a reusable path buffer, shared by its
/// copies); not `Sendable`.
package struct JSONPayloadScanner {
    /// What the scan found besides the metrics.
    package struct Header: Equatable, Sendable {
        package var timestampMs: Int64?
        package var seq: Int64?
    }

    /// Deepest nesting accepted; deeper payloads are `bad_json`.
    package static let maxDepth = 32

    /// The metric path being built (keys joined with `.`), in memory of its own: a key is
    /// copied in with one `copyMemory`, and dropping it is setting a length. It can never
    /// outgrow its capacity: the keys on a path are disjoint parts of the payload and
    /// unescaping never lengthens one, so a path is at most the payload plus one `.` per level.
    private final class PathBuffer {
        var base: UnsafeMutablePointer<UInt8>
        var capacity: Int
        /// Where a key with escapes is unescaped before it is copied onto the path.
        var escaped: [UInt8] = []

        init() {
            capacity = 256
            base = .allocate(capacity: capacity)
        }

        func reserve(_ n: Int) {
            guard n > capacity else { return }
            base.deallocate()
            capacity = n
            base = .allocate(capacity: n)
        }

        deinit { base.deallocate() }
    }

    private let path = PathBuffer()

    package init() {}

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
        path.reserve(payload.count + Self.maxDepth + 1)
        var state = PathState(base: path.base, capacity: path.capacity, length: 0, owner: path)
        cursor.skipSpace()
        guard cursor.peek == 0x7B else { throw .badJSON }
        try Self.scanObject(&cursor, depth: 1, unit: timestampUnit, path: &state, header: &header, sink: &sink)
        cursor.skipSpace()
        guard cursor.atEnd else { throw .badJSON }
        return header
    }

    /// The path during one scan: its bytes are `base[0..<length]`.
    private struct PathState {
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int
        var length: Int
        unowned(unsafe) let owner: PathBuffer

        var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }

        @inline(__always)
        mutating func append(_ b: UInt8) {
            precondition(length < capacity)
            base[length] = b
            length += 1
        }

        /// Copies `bytes` onto the path: keys are short, so eight bytes at a time inline
        /// rather than a call to `memmove` per key.
        @inline(__always)
        mutating func append(_ bytes: UnsafeRawBufferPointer) {
            let n = bytes.count
            guard n > 0 else { return }
            precondition(length + n <= capacity)
            let from = bytes.baseAddress!
            let to = UnsafeMutableRawPointer(base + length)
            var k = 0
            while k + 8 <= n {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: k, as: UInt64.self), toByteOffset: k, as: UInt64.self)
                k += 8
            }
            while k < n {
                to.storeBytes(of: from.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self)
                k += 1
            }
            length += n
        }
    }

    /// Whether `key` is exactly `a` `b` (two ASCII bytes).
    @inline(__always)
    private static func equals(_ key: UnsafeRawBufferPointer, _ a: UInt8, _ b: UInt8) -> Bool {
        key.count == 2 && key[0] == a && key[1] == b
    }

    @inline(__always)
    private static func equals(_ key: UnsafeRawBufferPointer, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        key.count == 3 && key[0] == a && key[1] == b && key[2] == c
    }

    private static func scanObject<S: MetricSink>(
        _ c: inout JSONLexer, depth: Int, unit: TimestampUnit, path: inout PathState, header: inout Header,
        sink: inout S
    ) throws(RejectReason) {
        guard depth <= Self.maxDepth else { throw .badJSON }
        c.advance()  // {
        c.skipSpace()
        if c.peek == 0x7D { c.advance(); return }
        let base = path.length
        while true {
            c.skipSpace()
            guard c.peek == 0x22 else { throw .badJSON }
            // The metric path of this key. On an empty path a key without escapes is its own
            // path: it stays in the payload (copied onto the path only if it opens an object).
            let key: UnsafeRawBufferPointer
            let keyOnPath: Bool
            if base == 0, let plain = plainKey(&c) {
                key = plain
                keyOnPath = false
            } else {
                if base > 0 { path.append(0x2E) }
                guard readKey(&c, into: &path) else { throw .badJSON }
                key = path.bytes
                keyOnPath = true
            }
            c.skipSpace()
            guard c.peek == 0x3A else { throw .badJSON }
            c.advance()
            c.skipSpace()
            let keyIsTop = depth == 1
            let isTs = keyIsTop && equals(key, 0x74, 0x73)  // ts
            let isSeq = keyIsTop && equals(key, 0x73, 0x65, 0x71)  // seq
            // A top-level `ts`/`seq` of a kind it cannot be (object, array, boolean; text for
            // `seq`) is rejected with its own reason, not skipped.
            let wrongKind: RejectReason? = isTs ? .badTimestamp : isSeq ? .badSeq : nil
            switch c.peek {
            case 0x7B:
                if let wrongKind { throw c.skipValue(depth: depth, maxDepth: Self.maxDepth) ? wrongKind : .badJSON }
                if !keyOnPath { path.append(key) }
                try scanObject(&c, depth: depth + 1, unit: unit, path: &path, header: &header, sink: &sink)
            case 0x22:
                if isTs {
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
                // An explicit null means "absent" (also for `ts` and `seq`).
                guard c.skipWord("null") else { throw .badJSON }
            case nil: throw .badJSON
            case let b? where b != 0x2D && b &- 0x30 > 9: throw .badJSON
            case _ where isTs:
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
                    if isSeq { throw .badSeq }
                    throw .nonFinite
                case .number(let v, let integer):
                    if isSeq {
                        guard let s = integer, s >= 0 else { throw .badSeq }
                        header.seq = s
                    } else {
                        try sink.metric(name: key, value: v)
                    }
                }
            }
            path.length = base
            c.skipSpace()
            switch c.peek {
            case 0x2C: c.advance()
            case 0x7D: c.advance(); return
            default: throw .badJSON
            }
        }
    }

    /// The key at the cursor when it has no escape (nearly every key), as the payload's own
    /// bytes, with the cursor moved past it; nil, with the cursor unmoved, otherwise.
    @inline(__always)
    private static func plainKey(_ c: inout JSONLexer) -> UnsafeRawBufferPointer? {
        let start = c.index + 1
        var i = start
        let n = c.bytes.count
        while i < n {
            let b = c.bytes[i]
            if b == 0x22 {
                c.index = i + 1
                return UnsafeRawBufferPointer(rebasing: c.bytes[start..<i])
            }
            if b == 0x5C || b < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// Appends the key at the cursor (unescaped) to `path`; false when malformed or when it
    /// holds a lone surrogate (a metric name must be exactly what the device sent).
    @inline(__always)
    private static func readKey(_ c: inout JSONLexer, into path: inout PathState) -> Bool {
        // Nearly every key has no escape: copy it in one piece.
        if let key = plainKey(&c) {
            path.append(key)
            return true
        }
        let owner = path.owner
        owner.escaped.removeAll(keepingCapacity: true)
        guard c.readString(appendingTo: &owner.escaped) == .exact else { return false }
        owner.escaped.withUnsafeBytes { path.append($0) }
        return true
    }

    /// Reads the string at the cursor as an RFC 3339 timestamp; nil when it is not one or
    /// names a time outside ``UTCTimestamp/eventTimeRange`` (an offset can carry
    /// `9999-12-31T23:59:59-00:01` into year 10000).
    private static func readTimestampString(_ c: inout JSONLexer) -> Int64? {
        let start = c.index + 1
        guard c.skipString() else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: c.bytes[start..<(c.index - 1)])
        guard let ms = UTCTimestamp.parse(bytes: text), UTCTimestamp.eventTimeRange.contains(ms) else { return nil }
        return ms
    }
}
