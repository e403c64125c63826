/// A scanner for InfluxDB line protocol payloads, straight from bytes.
///
/// Each non-empty line is `measurement[,tag=value…] field=value[,field=value…] [timestamp]`.
/// Float (`1.5`), integer (`5i`) and unsigned (`5u`) fields are metrics named
/// `measurement.field`; string and boolean fields are skipped. The optional timestamp is an
/// integer (`Int64`) counting the scan's precision, nanoseconds unless the template says
/// otherwise, floored to milliseconds (``TimestampUnit``). Two tags are reported so that a
/// topic template without `{site}`/`{device}` can take them from the line: those the scan's
/// ``TagKeys`` name (`site` and `device` unless the template's `site_tag`/`device_tag` say
/// otherwise). Every other tag is skipped: it is neither part of the metric nor of the series.
/// Backslash escapes in names, tag keys and tag values are honoured.
///
/// Threading: owned by one ingest thread (reusable scratch buffers); not `Sendable`.
package struct InfluxLineScanner {
    /// Receives each line's metrics.
    package protocol Sink {
        /// Called for each metric with the line's site/device tags (empty when absent) and
        /// its timestamp in ms (nil when absent). Throwing stops the scan; the scanner
        /// rethrows the reason as the reason the whole payload is rejected.
        mutating func influxMetric(
            site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer,
            name: UnsafeRawBufferPointer, value: Double, timestampMs: Int64?
        ) throws(RejectReason)
    }

    /// The tag keys whose values are a line's site and device, as bytes (no escapes).
    package struct TagKeys {
        package var site: UnsafeRawBufferPointer
        package var device: UnsafeRawBufferPointer
        package init(site: UnsafeRawBufferPointer, device: UnsafeRawBufferPointer) {
            self.site = site
            self.device = device
        }
    }

    private var name: [UInt8] = []
    private var site: [UInt8] = []
    private var device: [UInt8] = []
    private var scratch: [UInt8] = []

    package init() {
        name.reserveCapacity(128)
        scratch.reserveCapacity(128)
    }

    /// Scans every line of `payload`, handing each metric to `sink`; a line's timestamp counts
    /// `precision` (the template's), and its site and device are the tags `tags` names. Throws the first reason to reject (or the reason `sink`
    /// threw). On rejection the sink may already have received some metrics; the caller
    /// discards them.
    package mutating func scan<S: Sink>(
        _ payload: UnsafeRawBufferPointer, precision: TimestampUnit, tags: TagKeys, into sink: inout S
    ) throws(RejectReason) {
        var lineStart = 0
        let n = payload.count
        while lineStart < n {
            var lineEnd = lineStart
            while lineEnd < n, payload[lineEnd] != 0x0A { lineEnd += 1 }
            var line = UnsafeRawBufferPointer(rebasing: payload[lineStart..<lineEnd])
            if let last = line.last, last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            if !Self.isBlankOrComment(line) { try scanLine(line, precision: precision, tags: tags, into: &sink) }
            lineStart = lineEnd + 1
        }
    }

    private static func isBlankOrComment(_ line: UnsafeRawBufferPointer) -> Bool {
        for b in line {
            if b == 0x20 || b == 0x09 { continue }
            return b == 0x23
        }
        return true
    }

    /// Reads an escaped token into `out` up to one of the stop bytes; returns the stop index.
    private static func readToken(
        _ line: UnsafeRawBufferPointer, from start: Int, into out: inout [UInt8], stops: (UInt8, UInt8, UInt8)
    ) -> Int {
        out.removeAll(keepingCapacity: true)
        var i = start
        while i < line.count {
            let b = line[i]
            if b == 0x5C, i + 1 < line.count { out.append(line[i + 1]); i += 2; continue }
            if b == stops.0 || b == stops.1 || b == stops.2 { return i }
            out.append(b)
            i += 1
        }
        return i
    }

    private mutating func scanLine<S: Sink>(
        _ line: UnsafeRawBufferPointer, precision: TimestampUnit, tags: TagKeys, into sink: inout S
    ) throws(RejectReason) {
        var i = Self.readToken(line, from: 0, into: &name, stops: (0x2C, 0x20, 0x20))
        guard !name.isEmpty, i < line.count else { throw .badLineProtocol }
        site.removeAll(keepingCapacity: true)
        device.removeAll(keepingCapacity: true)
        while i < line.count, line[i] == 0x2C {
            i = Self.readToken(line, from: i + 1, into: &scratch, stops: (0x3D, 0x20, 0x2C))
            guard i < line.count, line[i] == 0x3D, !scratch.isEmpty else { throw .badLineProtocol }
            let isSite = Self.equal(scratch, tags.site), isDevice = Self.equal(scratch, tags.device)
            i = Self.readToken(line, from: i + 1, into: &scratch, stops: (0x2C, 0x20, 0x20))
            guard !scratch.isEmpty else { throw .badLineProtocol }
            // Copied, not assigned: sharing scratch's buffer would make its next reuse allocate.
            if isSite {
                site.removeAll(keepingCapacity: true)
                site.append(contentsOf: scratch)
            } else if isDevice {
                device.removeAll(keepingCapacity: true)
                device.append(contentsOf: scratch)
            }
        }
        guard i < line.count, line[i] == 0x20 else { throw .badLineProtocol }
        i += 1
        guard i < line.count, line[i] != 0x20 else { throw .badLineProtocol }  // no field set
        // Fields: remember where they are, find the timestamp, then report.
        let fieldsStart = i
        var inString = false
        var fieldsEnd = i
        while fieldsEnd < line.count {
            let b = line[fieldsEnd]
            if b == 0x5C { fieldsEnd += 2; continue }
            if b == 0x22 { inString.toggle() }
            if b == 0x20, !inString { break }
            fieldsEnd += 1
        }
        fieldsEnd = min(fieldsEnd, line.count)
        var timestampMs: Int64? = nil
        if fieldsEnd < line.count {
            var t = fieldsEnd + 1
            while t < line.count, line[t] == 0x20 { t += 1 }
            if t < line.count {
                let text = UnsafeRawBufferPointer(rebasing: line[t...])
                var j = 0
                // Digits to integer, with no Double on the way (nanoseconds exceed 2^53, and the
                // Double conversion of such a number would allocate).
                guard let digits = NumberScanner.scanDecimal(text, at: &j), j == text.count,
                      let integer = digits.integerValue, let ms = precision.eventTimeMs(of: integer)
                else { throw .badTimestamp }
                timestampMs = ms
            }
        }
        var f = fieldsStart
        let baseCount = name.count
        while f < fieldsEnd {
            name.removeSubrange(baseCount...)
            name.append(0x2E)
            f = Self.readToken(line, from: f, into: &scratch, stops: (0x3D, 0x2C, 0x20))
            guard f < fieldsEnd, line[f] == 0x3D, !scratch.isEmpty else { throw .badLineProtocol }
            name.append(contentsOf: scratch)
            f += 1
            guard f < fieldsEnd else { throw .badLineProtocol }
            if line[f] == 0x22 {
                f += 1
                while f < fieldsEnd, line[f] != 0x22 { f += line[f] == 0x5C ? 2 : 1 }
                guard f < fieldsEnd else { throw .badLineProtocol }
                f += 1
            } else {
                var end = f
                while end < fieldsEnd, line[end] != 0x2C { end += 1 }
                var text = UnsafeRawBufferPointer(rebasing: line[f..<end])
                f = end
                switch text.first {
                case 0x74, 0x54, 0x66, 0x46:  // t, T, f, F: booleans
                    guard Self.isBoolean(text) else { throw .badLineProtocol }
                default:
                    if let last = text.last, last == 0x69 || last == 0x75 {
                        text = UnsafeRawBufferPointer(rebasing: text.dropLast())
                    }
                    var j = 0
                    let r = NumberScanner.scanJSON(text, at: &j)
                    switch r {
                    case .malformed: throw .badNumber
                    case .nonFinite: throw .nonFinite
                    case .number(let v, _):
                        guard j == text.count else { throw .badNumber }
                        // `withUnsafeBytes` only rethrows untyped errors, so the reason rides out in a Result.
                        try name.withUnsafeBytes { nm in
                            site.withUnsafeBytes { st in
                                device.withUnsafeBytes { dv in
                                    Result { () throws(RejectReason) in
                                        try sink.influxMetric(site: st, device: dv, name: nm, value: v, timestampMs: timestampMs)
                                    }
                                }
                            }
                        }.get()
                    }
                }
            }
            if f < fieldsEnd, line[f] == 0x2C { f += 1; guard f < fieldsEnd else { throw .badLineProtocol } }
        }
        name.removeSubrange(baseCount...)
    }

    /// Whether `bytes` holds exactly `key`, compared byte by byte (no allocation).
    @inline(__always)
    private static func equal(_ bytes: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == key.count else { return false }
        guard !key.isEmpty else { return true }
        return bytes.withUnsafeBytes { ByteComparison.equal($0.baseAddress!, key.baseAddress!, count: key.count) }
    }

    /// The default keys, `site` and `device` (static storage, valid for the program's life).
    nonisolated(unsafe) package static let defaultTagKeys: TagKeys = {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
        bytes.copyBytes(from: Array("sitedevice".utf8))
        let all = UnsafeRawBufferPointer(bytes)
        return TagKeys(site: UnsafeRawBufferPointer(rebasing: all[0..<4]), device: UnsafeRawBufferPointer(rebasing: all[4..<10]))
    }()

    /// Whether `text` is one of line protocol's boolean spellings (t, T, true, True, TRUE and
    /// the same for false), compared byte by byte (no allocation).
    private static func isBoolean(_ text: UnsafeRawBufferPointer) -> Bool {
        for spelling in booleans where spelling.count == text.count {
            if spelling.withUnsafeBytes({ ByteComparison.equal($0.baseAddress!, text.baseAddress!, count: text.count) }) { return true }
        }
        return false
    }

    private static let booleans: [[UInt8]] = ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"]
        .map { Array($0.utf8) }
}
