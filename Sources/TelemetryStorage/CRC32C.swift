/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of a write-ahead-log
/// record: the one iSCSI, ext4 and RocksDB use, check value 0xE3069283 for "123456789".
///
/// A table-driven slicing-by-8 implementation (eight bytes per step through eight 256-entry
/// tables), so that checking a ~150-byte record costs tens of nanoseconds without CPU-specific
/// instructions.
///
/// Threading: stateless; the tables are immutable once built.
package enum CRC32C {
    /// The checksum of `bytes`.
    @inline(__always)
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        ~update(0xFFFF_FFFF, with: bytes)
    }

    /// Feeds `bytes` into a running (pre-inverted) CRC state; start at 0xFFFFFFFF and invert
    /// the end result, as `checksum` does.
    package static func update(_ state: UInt32, with bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress else { return state }
        var remaining = bytes.count
        var crc = state
        tables.withUnsafeBufferPointer { t in
            while remaining >= 8 {
                let word = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) ^ UInt64(crc)
                crc = t[7 &* 256 &+ Int(word & 0xFF)]
                    ^ t[6 &* 256 &+ Int((word &>> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((word &>> 16) & 0xFF)]
                    ^ t[4 &* 256 &+ Int((word &>> 24) & 0xFF)]
                    ^ t[3 &* 256 &+ Int((word &>> 32) & 0xFF)]
                    ^ t[2 &* 256 &+ Int((word &>> 40) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((word &>> 48) & 0xFF)]
                    ^ t[Int(word &>> 56)]
                p += 8
                remaining &-= 8
            }
            while remaining > 0 {
                crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc &>> 8)
                p += 1
                remaining &-= 1
            }
        }
        return crc
    }

    /// Table k (at k*256) gives the CRC contribution of a byte followed by k zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = t[(k - 1) * 256 + n]
                t[k * 256 + n] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()
}
