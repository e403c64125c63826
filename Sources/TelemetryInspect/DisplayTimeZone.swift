import Foundation
package import TelemetryCore

/// The time zone tables show times in (`--tz`): `UTC` (the default), a fixed offset such as
/// `+07:00`, or an IANA zone such as `Asia/Ho_Chi_Minh` (from the system's tz database,
/// with its daylight-saving rules). Files, JSON and CSV stay UTC.
///
/// Threading: an immutable value type; safe to share.
package struct DisplayTimeZone: Sendable, Equatable {
    /// What `--tz` accepts, for error messages.
    package static let expectedFormat =
        "UTC, an offset like +07:00 or -05:30, or an IANA zone like Asia/Ho_Chi_Minh"

    /// UTC.
    package static let utc = DisplayTimeZone(name: "UTC", fixedOffsetSeconds: 0, zone: nil)

    /// The zone as given (`UTC`, `+07:00`, `Asia/Ho_Chi_Minh`), for table headers.
    package let name: String
    private let fixedOffsetSeconds: Int?
    private let zone: TimeZone?

    private init(name: String, fixedOffsetSeconds: Int?, zone: TimeZone?) {
        self.name = name
        self.fixedOffsetSeconds = fixedOffsetSeconds
        self.zone = zone
    }

    /// Parses `--tz`; throws ``InspectError/invalidTimeZone(_:)`` saying what is expected.
    package init(parsing text: String) throws(InspectError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if ["utc", "z", "gmt"].contains(trimmed.lowercased()) {
            self = .utc
        } else if let seconds = Self.offsetSeconds(trimmed) {
            self.init(name: trimmed, fixedOffsetSeconds: seconds, zone: nil)
        } else if trimmed.contains("/"), let zone = TimeZone(identifier: trimmed) {
            self.init(name: trimmed, fixedOffsetSeconds: nil, zone: zone)
        } else {
            throw .invalidTimeZone(text)
        }
    }

    /// `+07:00`, `+0700`, `+07`, `-05:30` as seconds east of UTC (at most ±14:00).
    private static func offsetSeconds(_ text: String) -> Int? {
        let chars = Array(text)
        guard let sign = chars.first, sign == "+" || sign == "-" else { return nil }
        var body = Array(chars.dropFirst())
        if body.count == 5, body[2] == ":" { body.remove(at: 2) }
        guard body.count == 2 || body.count == 4, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let hours = Int(String(body[0..<2]))!, minutes = body.count == 4 ? Int(String(body[2..<4]))! : 0
        guard minutes < 60, hours * 60 + minutes <= 14 * 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// Whether this is UTC.
    package var isUTC: Bool { fixedOffsetSeconds == 0 && zone == nil }

    /// Seconds east of UTC at `ms`.
    package func offsetSeconds(at ms: Int64) -> Int {
        if let fixedOffsetSeconds { return fixedOffsetSeconds }
        return zone?.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000)) ?? 0
    }

    /// `2026-11-24 13:00:00` — the local wall time at `ms` (milliseconds only when not zero).
    package func tableTime(_ ms: Int64) -> String {
        var text = UTCTimestamp.format(milliseconds: ms + Int64(offsetSeconds(at: ms)) * 1000)
        text.removeLast()  // Z
        if text.hasSuffix(".000") { text.removeLast(4) }
        return text.replacingAll("T", with: " ")
    }

    /// A time column's header: `start (UTC)`, `start (Asia/Ho_Chi_Minh)`.
    package func header(_ title: String) -> String { "\(title) (\(name))" }
}
