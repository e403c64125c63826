/// What telemetryd knows about one device (a (site, device) pair): when it was last heard from,
/// how far its clock is off, and what became of its messages. One line of `devices.jsonl`
/// (``jsonLine()``), which `telemetryctl devices` shows.
///
/// Times are epoch milliseconds UTC; ``never`` (`Int64.min`) stands for "no such time yet"
/// (written as `null`). Counts are since the daemon's state began (checkpointed with it), except
/// where the daemon documents otherwise.
///
/// Invariants (kept by the aggregator, which fills it): counts are ≥ 0;
/// `watermarkMs ≥ lastEventMs` when both are known; `lateByWindow` names each configured
/// window once (zero counts included, so every line of the file has the same keys) and counts
/// the readings that missed that window size but were taken by a larger one — readings no
/// window could take are in `tooLate` instead.
///
/// Threading: a value type with no shared state; safe to share.
public struct DeviceHealth: Hashable, Sendable {
    public var site: String
    public var device: String
    /// The ingest clock (arrival time) at its last message, accepted or not.
    public var lastArrivalMs: Int64
    /// The event time of its last message.
    public var lastEventMs: Int64
    /// Its watermark: the largest event time of its accepted readings.
    public var watermarkMs: Int64
    /// Its clock offset, event time minus arrival time, smoothed; positive = its clock is fast.
    public var clockOffsetMs: Double
    /// Messages accepted from it.
    public var messages: Int
    /// Readings accepted from it.
    public var readings: Int
    /// Its messages dropped as duplicates (a seq seen before).
    public var duplicates: Int
    /// Messages missing from its seq sequence.
    public var gaps: Int
    /// Times its seq jumped back or far ahead (a restart or re-seeded counter).
    public var restarts: Int
    /// Its readings no window could take.
    public var tooLate: Int
    /// Window name → its readings that missed that window size only.
    public var lateByWindow: [String: Int]
    /// Its dead letters: too-late readings plus rejected messages attributed to it.
    public var deadLetters: Int
    /// Its windows open now (one per series and window size with readings not yet written).
    public var openWindows: Int

    /// "No such time yet", for the time fields.
    public static let never = Int64.min

    public init(
        site: String, device: String, lastArrivalMs: Int64, lastEventMs: Int64, watermarkMs: Int64,
        clockOffsetMs: Double, messages: Int, readings: Int, duplicates: Int, gaps: Int, restarts: Int,
        tooLate: Int, lateByWindow: [String: Int], deadLetters: Int, openWindows: Int
    ) {
        self.site = site
        self.device = device
        self.lastArrivalMs = lastArrivalMs
        self.lastEventMs = lastEventMs
        self.watermarkMs = watermarkMs
        self.clockOffsetMs = clockOffsetMs
        self.messages = messages
        self.readings = readings
        self.duplicates = duplicates
        self.gaps = gaps
        self.restarts = restarts
        self.tooLate = tooLate
        self.lateByWindow = lateByWindow
        self.deadLetters = deadLetters
        self.openWindows = openWindows
    }

    /// Readings that missed some window size, over all sizes.
    public var late: Int { lateByWindow.values.reduce(0, +) }

    /// File order: site, then device.
    public static func fileOrder(_ a: DeviceHealth, _ b: DeviceHealth) -> Bool {
        a.site != b.site ? a.site < b.site : a.device < b.device
    }
}
