/// A list of ``TopicTemplate``s compiled for the decode hot path: finds the first template a
/// topic matches, with the same ``TopicTemplate/Match`` that template's `match(_:)` gives,
/// without touching a reference count (the templates' strings and segment arrays are copied
/// once into flat memory this matcher owns).
///
/// Invariants: `segments` holds every template's segments in order, `ends[t]` is one past
/// template `t`'s last; literal bytes live in `literals`, and so do the bytes of each
/// template's influx tag names (`tagKeys[t]`). Immutable after `init`.
///
/// Threading: owned by one decoder (one ingest thread); not `Sendable`.
final class TopicMatcher {
    /// A compiled segment: what it is, and for a literal where its bytes are.
    private struct Segment {
        /// 0 literal, 1 site, 2 device, 3 metric, 4 any segment.
        var kind: UInt8
        var offset: Int32
        var length: Int32
    }

    /// What the decoder needs of a matched template.
    struct Found {
        var template: Int
        var format: PayloadFormat
        var timestampUnit: TimestampUnit
        var match: TopicTemplate.Match
        /// The template's ``TopicTemplate/siteTag`` and ``TopicTemplate/deviceTag`` bytes
        /// (valid while the matcher lives).
        var siteTag: UnsafeRawBufferPointer
        var deviceTag: UnsafeRawBufferPointer
    }

    /// Where a template's two tag names lie in `literals`.
    private struct TagKeys {
        var site: Range<Int>
        var device: Range<Int>
    }

    private let segments: UnsafeMutableBufferPointer<Segment>
    private let ends: UnsafeMutableBufferPointer<Int>
    private let formats: UnsafeMutableBufferPointer<PayloadFormat>
    private let units: UnsafeMutableBufferPointer<TimestampUnit>
    private let tagKeys: UnsafeMutableBufferPointer<TagKeys>
    private let literals: UnsafeMutableRawBufferPointer

    init(_ templates: [TopicTemplate]) {
        var flat: [Segment] = []
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var keys: [TagKeys] = []
        for t in templates {
            let siteStart = bytes.count
            bytes.append(contentsOf: t.siteTag.utf8)
            let deviceStart = bytes.count
            bytes.append(contentsOf: t.deviceTag.utf8)
            keys.append(TagKeys(site: siteStart..<deviceStart, device: deviceStart..<bytes.count))
            for s in t.segments {
                switch s {
                case .literal(let lit):
                    flat.append(Segment(kind: 0, offset: Int32(bytes.count), length: Int32(lit.count)))
                    bytes.append(contentsOf: lit)
                case .site: flat.append(Segment(kind: 1, offset: 0, length: 0))
                case .device: flat.append(Segment(kind: 2, offset: 0, length: 0))
                case .metric: flat.append(Segment(kind: 3, offset: 0, length: 0))
                case .anySegment: flat.append(Segment(kind: 4, offset: 0, length: 0))
                }
            }
            ends.append(flat.count)
        }
        segments = .allocate(capacity: max(flat.count, 1))
        _ = segments.initialize(from: flat)
        self.ends = .allocate(capacity: max(ends.count, 1))
        _ = self.ends.initialize(from: ends)
        formats = .allocate(capacity: max(templates.count, 1))
        _ = formats.initialize(from: templates.map(\.format))
        units = .allocate(capacity: max(templates.count, 1))
        _ = units.initialize(from: templates.map(\.timestampUnit))
        tagKeys = .allocate(capacity: max(keys.count, 1))
        _ = tagKeys.initialize(from: keys)
        let literals = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        bytes.withUnsafeBytes { literals.copyMemory(from: $0) }
        self.literals = literals
        count = templates.count
    }

    deinit {
        segments.deallocate()
        ends.deallocate()
        formats.deallocate()
        units.deallocate()
        tagKeys.deallocate()
        literals.deallocate()
    }

    /// Number of templates.
    let count: Int

    /// The first template `topic` matches, or nil.
    @inline(__always)
    func first(matching topic: UnsafeRawBufferPointer) -> Found? {
        var begin = 0
        for t in 0..<count {
            let end = ends[t]
            if let m = match(topic, segments: begin..<end) {
                let keys = tagKeys[t], all = UnsafeRawBufferPointer(literals)
                return Found(
                    template: t, format: formats[t], timestampUnit: units[t], match: m,
                    siteTag: UnsafeRawBufferPointer(rebasing: all[keys.site]),
                    deviceTag: UnsafeRawBufferPointer(rebasing: all[keys.device]))
            }
            begin = end
        }
        return nil
    }

    /// `TopicTemplate.match(_:)` over compiled segments.
    private func match(_ topic: UnsafeRawBufferPointer, segments range: Range<Int>) -> TopicTemplate.Match? {
        var m = TopicTemplate.Match()
        var pos = 0
        let n = topic.count
        for index in range {
            if pos > n { return nil }
            let end = ByteSearch.firstIndex(of: 0x2F, in: topic, from: pos, to: n)
            let isLast = index == range.upperBound - 1
            if isLast, end != n { return nil }
            if !isLast, end == n { return nil }
            let seg = segments[index]
            switch seg.kind {
            case 0:
                let length = Int(seg.length)
                guard length == end - pos else { return nil }
                if length > 0, !ByteComparison.equal(
                    literals.baseAddress! + Int(seg.offset), topic.baseAddress! + pos, count: length) { return nil }
            case 1: m.site = pos..<end; m.hasSite = true
            case 2: m.device = pos..<end; m.hasDevice = true
            case 3: m.metric = pos..<end; m.hasMetric = true
            default: break
            }
            pos = end + 1
        }
        return m
    }
}
