/// Rules for tag values (site, device, metric), shared by every decoder.
///
/// Threading: stateless.
package enum TagRules {
    /// The longest tag accepted, in bytes.
    package static let maxLength = 128

    /// Whether `bytes` is an acceptable tag: 1…128 bytes of valid UTF-8, no `/`, no `..`,
    /// no control characters (C0, DEL) and no NUL. Such a tag can never steer a file path.
    @inlinable
    package static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n > 0, n <= maxLength else { return false }
        var previous: UInt8 = 0
        var ascii = true
        for i in 0..<n {
            let b = bytes[i]
            if b < 0x20 || b == 0x7F || b == 0x2F { return false }
            if b == 0x2E, previous == 0x2E { return false }
            if b >= 0x80 { ascii = false }
            previous = b
        }
        return ascii || UTF8Validation.isValid(bytes)
    }
}
