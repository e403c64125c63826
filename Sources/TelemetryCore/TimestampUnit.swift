/// What a numeric timestamp counts: seconds, milliseconds, microseconds or nanoseconds since
/// the epoch, or `auto` to decide by magnitude. Chosen per topic template (JSON `ts_unit`,
/// Influx `precision`); the one home of the rule that turns such a number into the event
/// time, integer epoch milliseconds.
///
/// `auto` reads |ts| < 1e11 as seconds (1e11 s is the year 5138, while 1e11 ms is 1973-03-03),
/// < 1e14 as milliseconds, < 1e17 as microseconds, and anything larger as nanoseconds: every
/// time from 1973-03-03 to 5138 is read right whichever of the four units a device counts in.
///
/// Conversion is exact (integer arithmetic on the decimal digits, never through a `Double`,
/// so nanoseconds beyond 2^53 keep their millisecond) and floors: a fraction of a millisecond
/// goes to the earlier millisecond (`1796094000.25` s is `1796094000250` ms, `1.9` ms is
/// `1` ms, `-1` ns is `-1` ms). A result outside ``UTCTimestamp/eventTimeRange`` (years
/// 0000–9999) is no event time: the conversion returns nil and the decoder rejects the
/// message as `bad_timestamp`.
///
/// Threading: a plain value.
public enum TimestampUnit: String, Sendable, Hashable, CaseIterable {
    /// By magnitude, as the type's documentation says.
    case auto
    case seconds = "s"
    case milliseconds = "ms"
    case microseconds = "us"
    case nanoseconds = "ns"

    /// The smallest magnitude `auto` reads as milliseconds (below it: seconds), 1e11.
    public static let autoMillisecondsFrom: UInt64 = 100_000_000_000
    /// The smallest magnitude `auto` reads as microseconds, 1e14.
    public static let autoMicrosecondsFrom: UInt64 = 100_000_000_000_000
    /// The smallest magnitude `auto` reads as nanoseconds, 1e17.
    public static let autoNanosecondsFrom: UInt64 = 100_000_000_000_000_000

    /// The unit a number whose integer part of |value| is `magnitude` is read in: this unit,
    /// or for `auto` the one its magnitude picks.
    public func resolved(forMagnitude magnitude: UInt64) -> TimestampUnit {
        guard self == .auto else { return self }
        if magnitude < Self.autoMillisecondsFrom { return .seconds }
        if magnitude < Self.autoMicrosecondsFrom { return .milliseconds }
        if magnitude < Self.autoNanosecondsFrom { return .microseconds }
        return .nanoseconds
    }

    /// The event time (epoch ms) of the timestamp `value` counted in this unit, or nil when
    /// it falls outside ``UTCTimestamp/eventTimeRange``.
    public func eventTimeMs(of value: Int64) -> Int64? {
        eventTimeMs(of: DecimalNumber(value))
    }

    /// The event time (epoch ms) of the timestamp `value` counted in this unit, or nil when
    /// it falls outside ``UTCTimestamp/eventTimeRange``.
    package func eventTimeMs(of value: DecimalNumber) -> Int64? {
        let unit = resolved(forMagnitude: value.integerMagnitude)
        guard let ms = value.floor(timesPowerOfTen: unit.millisecondsExponent),
              UTCTimestamp.eventTimeRange.contains(ms) else { return nil }
        return ms
    }

    /// One of this unit is 10^this milliseconds. (`auto` is resolved before it is asked.)
    private var millisecondsExponent: Int {
        switch self {
        case .seconds: 3
        case .milliseconds, .auto: 0
        case .microseconds: -3
        case .nanoseconds: -6
        }
    }
}
