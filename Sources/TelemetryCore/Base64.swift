/// Standard base64 (RFC 4648, with padding): dead-letter payloads that are not UTF-8, and the
/// text form of a ``QuantileSketch``.
///
/// Threading: stateless.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return out
    }

    /// Appends the base64 text of `bytes` to `out`.
    package static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(v >> UInt32(shift) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            var v = UInt32(bytes[i]) << 16
            if rest == 2 { v |= UInt32(bytes[i + 1]) << 8 }
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : 0x3D)
            out.append(0x3D)
        }
    }

    /// The bytes of standard base64 text (padding optional); nil on any other character or a
    /// length no encoding has.
    package static func decode(_ text: [UInt8]) -> [UInt8]? {
        var end = text.count
        while end > 0, text[end - 1] == 0x3D { end -= 1 }
        guard text.count - end <= 2, end % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(end * 3 / 4)
        var v: UInt32 = 0, bits = 0
        for c in text[..<end] {
            let d: UInt8
            switch c {
            case 0x41...0x5A: d = c - 0x41
            case 0x61...0x7A: d = c - 0x61 + 26
            case 0x30...0x39: d = c - 0x30 + 52
            case 0x2B: d = 62
            case 0x2F: d = 63
            default: return nil
            }
            v = v << 6 | UInt32(d)
            bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8(truncatingIfNeeded: v >> UInt32(bits))) }
        }
        return out
    }
}
