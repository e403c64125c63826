/// One decoded measurement on its way from an ingest thread to the aggregator.
///
/// A reading names its series and device by the small integer ids a `SeriesRegistry` hands
/// out, so it is a fixed-size value with no references: pushing it through the ring copies
/// 48 bytes and allocates nothing.
///
/// Invariants: `value` is finite; all readings of one message are pushed as one contiguous
/// batch whose first reading, and only that one, has `isFirstInMessage` set, so the
/// aggregator can judge a message's `seq` once for all of its readings.
///
/// Threading: a plain value; safe to copy across threads.
public struct Reading: Sendable, Equatable {
    /// Id of the (site, device, metric) series, from `SeriesRegistry`.
    public var series: SeriesID
    /// Id of the (site, device) pair, from `SeriesRegistry`; the key of seq tracking.
    public var device: DeviceID
    /// Event time in epoch milliseconds (UTC).
    public var eventTimeMs: Int64
    /// The measured value; always finite.
    public var value: Double
    /// The message's sequence number, or `Reading.noSeq` when it had none.
    public var seq: Int64
    /// When the message arrived, in epoch milliseconds on the ingest clock (the wall clock
    /// live, the capture's line time in a replay): what idle close and clock offsets go by.
    public var arrivalMs: Int64
    /// Whether this reading starts its message (the readings after it, up to the next one
    /// with this flag, belong to the same message).
    public var isFirstInMessage: Bool

    /// Marker for "this message carried no `seq`".
    public static let noSeq = Int64.min

    /// A reading; by default it is a message of its own (`isFirstInMessage` true) that
    /// arrived at its event time. The decoder passes false for every reading of a message
    /// after the first.
    @inlinable
    public init(
        series: SeriesID, device: DeviceID, eventTimeMs: Int64, value: Double,
        seq: Int64 = Reading.noSeq, isFirstInMessage: Bool = true, arrivalMs: Int64? = nil
    ) {
        self.series = series
        self.device = device
        self.eventTimeMs = eventTimeMs
        self.value = value
        self.seq = seq
        self.arrivalMs = arrivalMs ?? eventTimeMs
        self.isFirstInMessage = isFirstInMessage
    }
}

/// Dense id of a (site, device, metric) series; index into the registry's name table.
public typealias SeriesID = UInt32
/// Dense id of a (site, device) pair.
public typealias DeviceID = UInt32
