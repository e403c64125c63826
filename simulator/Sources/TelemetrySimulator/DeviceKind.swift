/// What a simulated device measures, and so how it publishes.
///
/// - `airQuality` (`aq-…`): JSON on `vn/{site}/{device}/telemetry` with an epoch-ms `ts`,
///   `seq`, `pm25`, `pm10`, `temperature`, `humidity`.
/// - `powerMeter` (`pm-…`): JSON on `vn/{site}/{device}/telemetry` with an RFC 3339 `ts`,
///   `seq`, a nested `power` object (`voltage`, `current`, `active`) and an `energy` counter.
/// - `waterLevel` (`wl-…`): value format, one number per message on
///   `vn/{site}/{device}/water_level`; no `ts` (event time = arrival time), no `seq`.
///
/// The raw value is the device-id prefix.
/// Threading: an immutable value; `Sendable`.
package enum DeviceKind: String, CaseIterable, Sendable, Hashable {
    case airQuality = "aq"
    case powerMeter = "pm"
    case waterLevel = "wl"

    /// Whether the payload is a bare number (`value` format) rather than a JSON object.
    package var isValueFormat: Bool { self == .waterLevel }

    /// The last topic segment: `telemetry` for JSON devices, the metric name otherwise.
    package var topicLeaf: String { isValueFormat ? "water_level" : "telemetry" }

    /// The faults this kind of device can get. Value-format devices have no `seq` and no
    /// `ts`, so duplicates, gaps and late event times cannot be expressed (or detected) for
    /// them: they get only `malformed` and `outOfOrder`.
    package var possibleFaults: [FaultKind] {
        isValueFormat ? [.malformed, .outOfOrder] : FaultKind.allCases
    }

    /// The ways a `malformed` message of this kind is broken.
    package var possibleMalformations: [Malformation] {
        isValueFormat
            ? [.notANumber, .nanText, .nonFiniteNumber, .invalidUTF8, .unmatchedTopic]
            : [.truncatedJSON, .missingValue, .nonFiniteNumber, .invalidUTF8, .emptyObject, .unmatchedTopic]
    }

    /// The sites devices of this kind are placed at, in rotation order (a site listed twice
    /// gets twice as many devices): air quality everywhere, power meters mostly in the
    /// industrial parks of Đồng Nai and Bình Dương, water level on the rivers.
    package var siteRotation: [Site] {
        switch self {
        case .airQuality: [.hanoi, .hcmc, .danang, .haiphong, .dongnai, .cantho, .binhduong]
        case .powerMeter: [.dongnai, .binhduong, .dongnai, .binhduong, .haiphong, .hcmc]
        case .waterLevel: [.danang, .cantho, .hcmc]
        }
    }
}
