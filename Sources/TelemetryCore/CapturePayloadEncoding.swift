/// How a capture line writes its payload: the one home of the capture payload forms.
///
/// - `raw`: the payload's bytes as they are (`mosquitto_sub -F '%U %t %p'`). Round-trips a
///   payload without a `\n` only: a payload with one (a Telegraf batch of several Influx
///   lines) continues on the next lines, which are not capture lines.
/// - `hex`: every payload byte as two hex digits (`mosquitto_sub -F '%U %t %x'`, lower case;
///   `%X`, upper case, reads the same). Round-trips any payload: newlines, binary, empty.
///
/// A capture file has one encoding, which the reader is told (`telemetryd replay
/// --payload-encoding hex`): it cannot be detected, since a raw payload may look like hex.
/// Decoding writes into a caller's buffer and allocates nothing.
/// Threading: stateless.
package enum CapturePayloadEncoding: String, CaseIterable, Sendable {
    case raw, hex

    /// The `mosquitto_sub -F` format that records a capture with this encoding.
    package var mosquittoFormat: String {
        switch self {
        case .raw: "%U %t %p"
        case .hex: "%U %t %x"
        }
    }

    /// The largest payload a `text` of this encoding decodes to.
    package static func maxDecodedCount(_ encoding: CapturePayloadEncoding, textCount: Int) -> Int {
        encoding == .hex ? textCount / 2 : textCount
    }

    /// Decodes hex digits (either case) into `out`, which must hold `text.count / 2` bytes;
    /// returns the number of bytes written, or nil when `text` has an odd length or a byte
    /// that is not a hex digit.
    package static func decodeHex(_ text: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        let n = text.count
        guard n & 1 == 0, out.count >= n / 2 else { return nil }
        var i = 0
        while i < n {
            guard let high = digit(text[i]), let low = digit(text[i + 1]) else { return nil }
            out[i >> 1] = high << 4 | low
            i += 2
        }
        return n / 2
    }

    /// Appends the lower-case hex of `bytes` to `out`, as `mosquitto_sub`'s `%x` writes it.
    package static func appendHex(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    private static func digit(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x61...0x66: b - 0x61 + 10
        case 0x41...0x46: b - 0x41 + 10
        default: nil
        }
    }
}
