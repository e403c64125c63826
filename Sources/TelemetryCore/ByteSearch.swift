/// Finding the next occurrence of one byte, eight bytes at a time (TelemetryCore imports no
/// C, so no `memchr`): the topic matcher looks for each `/`, the capture-line parser for the
/// space after the topic. Topics are tens of bytes, so a call to `memchr` per segment would
/// cost more than it saves; a word at a time halves the loop for them.
///
/// The word test is the classic "has a zero byte" one on `word ^ (byte × 0x01…01)`: its
/// lowest set bit marks exactly the first matching byte (a false positive can only sit above
/// a true match), so on a little-endian machine the match is at `trailingZeroBitCount / 8`.
///
/// Threading: stateless.
enum ByteSearch {
    /// The first index in `from..<end` of `bytes` holding `byte`, or `end` when there is none.
    /// `from...end` must lie within `bytes`.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int, to end: Int) -> Int {
        var i = from
        guard let base = bytes.baseAddress else { return end }
        #if _endian(little)
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i + 8 <= end {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            let zero = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
            if zero != 0 { return i + zero.trailingZeroBitCount >> 3 }
            i += 8
        }
        #endif
        while i < end, base.load(fromByteOffset: i, as: UInt8.self) != byte { i += 1 }
        return i
    }
}
