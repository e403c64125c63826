package import TelemetryCore

/// The orders `telemetryctl devices --sort` offers, each answering one question first:
///
/// - `device`: site, then device (the file's order; the default).
/// - `offset`: the largest clock offset first, fast or slow (by absolute value) — "whose
///   clock is off?"; an unknown (non-finite) offset last.
/// - `last-seen`: the oldest last arrival first — "who went quiet?"; never seen first of all.
/// - `messages`, `too-late`, `late`, `dead-letters`, `gaps`: the largest count first (`late`
///   is the window misses summed over window sizes, ``DeviceHealth/late``).
///
/// Ties are broken by site, then device, so every order is total and stable across runs.
///
/// Threading: a plain enum; safe to share.
package enum DeviceSort: String, CaseIterable, Sendable {
    case device
    case offset
    case lastSeen = "last-seen"
    case messages
    case tooLate = "too-late"
    case late
    case deadLetters = "dead-letters"
    case gaps

    /// What `init(rawValue:)` accepts, for error messages and `--help`.
    package static let expectedFormat = "one of " + allCases.map(\.rawValue).joined(separator: ", ")

    /// Whether `a` comes before `b` in this order.
    package func areInIncreasingOrder(_ a: DeviceHealth, _ b: DeviceHealth) -> Bool {
        func descending(_ x: Int, _ y: Int) -> Bool? { x != y ? x > y : nil }
        let decided: Bool?
        switch self {
        case .device: decided = nil
        case .offset:
            let (x, y) = (Self.offsetMagnitude(a), Self.offsetMagnitude(b))
            decided = x != y ? x > y : nil
        case .lastSeen: decided = a.lastArrivalMs != b.lastArrivalMs ? a.lastArrivalMs < b.lastArrivalMs : nil
        case .messages: decided = descending(a.messages, b.messages)
        case .tooLate: decided = descending(a.tooLate, b.tooLate)
        case .late: decided = descending(a.late, b.late)
        case .deadLetters: decided = descending(a.deadLetters, b.deadLetters)
        case .gaps: decided = descending(a.gaps, b.gaps)
        }
        return decided ?? DeviceHealth.fileOrder(a, b)
    }

    /// |offset|, with an unknown offset below every known one.
    private static func offsetMagnitude(_ d: DeviceHealth) -> Double {
        d.clockOffsetMs.isFinite ? abs(d.clockOffsetMs) : -1
    }
}
