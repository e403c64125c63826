/// One decoded measurement on its way from an ingest thread to the aggregator.
///
/// A reading names its series and device by the small integer ids a `SeriesRegistry` hands
/// out, so it is a fixed-size value with no references: pushing it through the ring copies
/// 40 bytes and allocates nothing.
///
/// Invariants: `value` is finite; all readings of one message are pushed as one contiguous
/// batch, the first carrying `messageLength` (the number of readings in the message) and the
/// rest zero, so the aggregator can judge a message's `seq` once for all of its readings.
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
    /// Number of readings in this message on its first reading; 0 on the others.
    public var messageLength: UInt32

    /// Marker for "this message carried no `seq`".
    public static let noSeq = Int64.min

    @inlinable
    public init(
        series: SeriesID, device: DeviceID, eventTimeMs: Int64, value: Double,
        seq: Int64 = Reading.noSeq, messageLength: UInt32 = 1
    ) {
        self.series = series
        self.device = device
        self.eventTimeMs = eventTimeMs
        self.value = value
        self.seq = seq
        self.messageLength = messageLength
    }
}

/// Dense id of a (site, device, metric) series; index into the registry's name table.
public typealias SeriesID = UInt32
/// Dense id of a (site, device) pair.
public typealias DeviceID = UInt32
