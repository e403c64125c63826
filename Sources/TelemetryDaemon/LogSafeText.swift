/// Text from the network (topics, device names) made safe for a log line: whatever a device
/// sent, the line stays one line and carries no terminal control sequence into `journalctl`
/// or a terminal.
///
/// Rules: bytes that are not valid UTF-8 become U+FFFD; C0 controls, DEL, C1 controls
/// (U+0080–U+009F) and U+2028/U+2029 are written as `\u{XX}`; a backslash is doubled so the
/// escapes are unambiguous; text longer than `maxScalars` is cut and ends in `…`.
///
/// Threading: stateless.
package enum LogSafeText {
    /// Longest text kept whole, in Unicode scalars (MQTT topics may be 65535 bytes long).
    package static let maxScalars = 200

    /// `bytes` (UTF-8, possibly invalid) made log-safe.
    package static func sanitize(_ bytes: UnsafeRawBufferPointer) -> String {
        sanitize(String(decoding: bytes, as: UTF8.self))
    }

    /// `text` made log-safe.
    package static func sanitize(_ text: String) -> String {
        var out = ""
        var kept = 0
        for scalar in text.unicodeScalars {
            if kept == maxScalars { out += "…"; break }
            kept += 1
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else if scalar == "\\" {
                out += "\\\\"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
