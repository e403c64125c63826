import TelemetryCore
/// Builds payload bytes: JSON objects with fixed-decimal numbers, and bare numbers, with
/// optional tampering of one metric for `malformed` faults.
///
/// Numbers are written with integer arithmetic after rounding, so the text is exact and
/// fast (no `String(format:)`), e.g. `35.2`, `51.0`, `-0.5`; never `-0.0`.
/// Threading: a value type owned by one generator.
struct PayloadWriter {
    /// What to do to the metric with a given position (0-based, in writing order).
    enum Tamper: Equatable {
        case none
        case missingValue(Int)
        case nonFinite(Int)
        case invalidUTF8(Int)
    }

    var bytes: [UInt8]
    var tamper: Tamper
    private var metricIndex = 0
    private var needsComma = false

    init(tamper: Tamper = .none, capacity: Int = 160) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.tamper = tamper
    }

    mutating func beginObject() {
        comma()
        bytes.append(0x7B)
        needsComma = false
    }

    mutating func beginObject(_ name: StaticString) {
        key(name, corrupt: false)
        bytes.append(0x7B)
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(0x7D)
        needsComma = true
    }

    mutating func integer(_ name: StaticString, _ value: Int64) {
        key(name, corrupt: false)
        Self.appendInteger(value, to: &bytes)
        needsComma = true
    }

    mutating func timestamp(_ name: StaticString, milliseconds: Int64) {
        key(name, corrupt: false)
        bytes.append(0x22)
        UTCTimestamp.append(milliseconds: milliseconds, to: &bytes)
        bytes.append(0x22)
        needsComma = true
    }

    mutating func metric(_ name: StaticString, _ value: Double, decimals: Int) {
        let index = metricIndex
        metricIndex += 1
        key(name, corrupt: tamper == .invalidUTF8(index))
        switch tamper {
        case .missingValue(index): break
        case .nonFinite(index): Self.appendStatic("1e999", to: &bytes)
        default: Self.appendFixed(value, decimals: decimals, to: &bytes)
        }
        needsComma = true
    }

    private mutating func comma() {
        if needsComma { bytes.append(0x2C) }
    }

    private mutating func key(_ name: StaticString, corrupt: Bool) {
        comma()
        bytes.append(0x22)
        name.withUTF8Buffer { key in
            if corrupt, key.count > 1 {
                bytes.append(key[0])
                bytes.append(0xFF)
                bytes.append(0xFE)
                bytes.append(contentsOf: key[1...])
            } else {
                bytes.append(contentsOf: key)
            }
        }
        bytes.append(0x22)
        bytes.append(0x3A)
        needsComma = false
    }

    static func appendStatic(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static let powersOfTen: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]
    private static let integerPowersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// Appends `value` rounded to `decimals` (0…6) places; `value` must be finite and below
    /// 1e12 in magnitude.
    static func appendFixed(_ value: Double, decimals: Int, to out: inout [UInt8]) {
        let scaled = (value * powersOfTen[decimals]).rounded()
        guard scaled != 0 else {
            out.append(0x30)
            if decimals > 0 {
                out.append(0x2E)
                out.append(contentsOf: repeatElement(0x30, count: decimals))
            }
            return
        }
        if scaled < 0 { out.append(0x2D) }
        let magnitude = UInt64(scaled.magnitude)
        let unit = integerPowersOfTen[decimals]
        appendUnsigned(magnitude / unit, to: &out)
        if decimals > 0 {
            out.append(0x2E)
            var fraction = magnitude % unit
            let start = out.count
            out.append(contentsOf: repeatElement(0x30, count: decimals))
            var i = start + decimals - 1
            while fraction > 0 {
                out[i] = UInt8(48 + fraction % 10)
                fraction /= 10
                i -= 1
            }
        }
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(0x2D) }
        appendUnsigned(value.magnitude, to: &out)
    }

    static func appendUnsigned(_ value: UInt64, to out: inout [UInt8]) {
        var digits = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0x30, count: digits))
        var v = value
        var i = start + digits - 1
        while v >= 10 {
            out[i] = UInt8(48 + v % 10)
            v /= 10
            i -= 1
        }
        out[i] = UInt8(48 + v)
    }
}
