/// Equality of raw byte ranges, compared eight bytes at a time (TelemetryCore imports no C,
/// so no `memcmp`). `SeriesKeyCache` uses it to confirm a hash hit on the hot path.
///
/// Threading: stateless.
enum ByteComparison {
    /// Whether the `n` bytes at `a` and at `b` are equal. Neither pointer needs any alignment.
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }
}
