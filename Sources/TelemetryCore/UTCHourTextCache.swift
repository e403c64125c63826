/// Formats epoch milliseconds exactly as ``UTCTimestamp/append(milliseconds:to:)`` does,
/// faster for times close together: it keeps the text of the last hour it formatted
/// (`YYYY-MM-DDTHH:`), and a time in that hour is that text plus `MM:SS.mmmZ` from its
/// offset into the hour, without a calendar computation. The rollup encoder formats a row's
/// `first_ts` and `last_ts` with it: both lie in the row's window, so row after row they
/// fall in the same hour.
///
/// Invariants: `hourText` is `UTCTimestamp`'s text of `hourStartMs` up to and including the
/// `:` after the hour (15 or 16 bytes, by the year's digits), or empty with
/// `hourStartMs == .min` before the first call.
///
/// Threading: a value type; one per encoder.
struct UTCHourTextCache {
    static let hourMs: Int64 = 3_600_000
    private var hourStartMs: Int64 = .min
    private var hourText: [UInt8] = []

    init() { hourText.reserveCapacity(16) }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` for `ms` to `out`.
    @inline(__always)
    mutating func append(milliseconds ms: Int64, to out: inout [UInt8]) {
        if hourStartMs != .min {
            let within = ms &- hourStartMs
            if within >= 0, within < Self.hourMs { return appendText(within, &out) }
        }
        fill(ms)
        appendText(ms - hourStartMs, &out)
    }

    @inline(__always)
    private func appendText(_ within: Int64, _ out: inout [UInt8]) {
        hourText.withUnsafeBufferPointer { out.append(contentsOf: $0) }
        let w = Int(within)
        let minute = w / 60_000, second = (w / 1000) % 60, milli = w % 1000
        out.append(UInt8(48 + minute / 10)); out.append(UInt8(48 + minute % 10)); out.append(58)
        out.append(UInt8(48 + second / 10)); out.append(UInt8(48 + second % 10)); out.append(46)
        out.append(UInt8(48 + milli / 100)); out.append(UInt8(48 + (milli / 10) % 10))
        out.append(UInt8(48 + milli % 10)); out.append(90)
    }

    /// Makes `ms`'s hour the cached one.
    @inline(never)
    private mutating func fill(_ ms: Int64) {
        let (q, r) = ms.quotientAndRemainder(dividingBy: Self.hourMs)
        hourStartMs = (r < 0 ? q - 1 : q) * Self.hourMs
        hourText.removeAll(keepingCapacity: true)
        UTCTimestamp.append(milliseconds: hourStartMs, to: &hourText)
        hourText.removeLast(10)  // "MM:SS.mmmZ"
    }
}
