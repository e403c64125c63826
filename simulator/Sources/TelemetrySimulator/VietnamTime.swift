import Foundation

/// Local time in Vietnam (UTC+7, no daylight saving), for the signals' daily cycles.
/// Threading: stateless.
enum VietnamTime {
    static let utcOffsetMs: Int64 = 7 * 3_600_000

    /// Local hour of day, 0 ..< 24, with fraction.
    static func hourOfDay(_ epochMs: Int64) -> Double {
        let local = epochMs + utcOffsetMs
        let msOfDay = local - floorDivision(local, 86_400_000) * 86_400_000
        return Double(msOfDay) / 3_600_000
    }

    /// Local day of week, 0 = Monday … 6 = Sunday.
    static func weekday(_ epochMs: Int64) -> Int {
        let days = floorDivision(epochMs + utcOffsetMs, 86_400_000)
        return Int((days + 3) - floorDivision(days + 3, 7) * 7)  // 1970-01-01 was a Thursday
    }

    /// A bell around `center` (hours) on the 24 h circle, 1 at the center.
    static func bump(_ hour: Double, center: Double, width: Double) -> Double {
        var d = abs(hour - center)
        if d > 12 { d = 24 - d }
        return exp(-(d * d) / (2 * width * width))
    }

    /// `cos` of the daily phase, 1 at `peakHour`, -1 twelve hours away.
    static func daily(_ hour: Double, peakHour: Double) -> Double {
        cos(2 * Double.pi * (hour - peakHour) / 24)
    }

    /// Smooth step from 0 to 1 around `hour` with the given sharpness (hours).
    static func logistic(_ x: Double, width: Double) -> Double {
        1 / (1 + exp(-x / width))
    }
}

/// Division rounding toward negative infinity (times before 1970 stay on the right day).
func floorDivision(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
