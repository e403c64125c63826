/// A dead letter's payload as a table shows it, safely: UTF-8 text through
/// ``TerminalSafeText/sanitize(_:)`` (control characters become visible `\u{1B}` escapes);
/// any other bytes as hex (`hex:00ff10…`); cut to ``maxCharacters`` with the full length in
/// bytes (`… (5000 bytes)`), which also says when the daemon kept only the start of a
/// `too_large` payload.
///
/// Threading: stateless.
package enum PayloadPreview {
    /// Characters of a payload a table shows at most (before the byte count).
    package static let maxCharacters = 60

    /// The preview of `payload`, of which `totalBytes` were received.
    package static func text(_ payload: [UInt8], totalBytes: Int, maxCharacters: Int = maxCharacters) -> String {
        var shown: String
        var cut = false
        if let text = String(validating: payload, as: UTF8.self) {
            var safe = TerminalSafeText.sanitize(text)
            if safe.count > maxCharacters {
                safe = String(safe.prefix(maxCharacters))
                cut = true
            }
            shown = safe
        } else {
            let digits = "0123456789abcdef".map { $0 }
            let bytes = payload.prefix(Swift.max(1, (maxCharacters - 4) / 2))
            shown = "hex:" + String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
            cut = bytes.count < payload.count
        }
        if cut || totalBytes > payload.count { shown += "… (\(totalBytes) bytes)" }
        return shown
    }
}
