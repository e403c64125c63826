/// What the aggregator knows about one device (site, device): its own event-time clock and
/// its counters.
///
/// - `watermark`: the largest event time of its accepted readings. Its windows close when it
///   passes their end plus the lateness; it never moves for another device's readings, nor
///   for the ingest clock.
/// - `lastArrivalMs`: the ingest clock at its last message: how long it has been quiet.
/// - `clockOffsetMs`: event time minus arrival time, smoothed over messages (an exponential
///   moving average with weight 1/8): a fast clock shows as positive, a slow one or a
///   backlog being uploaded as negative.
///
/// Threading: a value type, owned by the aggregator thread.
struct DeviceState: Sendable, Equatable {
    var watermark: Int64 = .min
    var lastArrivalMs: Int64 = .min
    var lastEventMs: Int64 = .min
    var clockOffsetMs: Double = 0
    var messages = 0
    var readings = 0
    var duplicates = 0
    var gaps = 0
    var restarts = 0
    var tooLate = 0

    /// Weight of the newest message in the smoothed clock offset.
    static let offsetWeight = 0.125

    /// Notes a message that arrived at `arrivalMs` with event time `eventMs`.
    @inline(__always)
    mutating func observeMessage(arrivalMs: Int64, eventMs: Int64) {
        let offset = Double(eventMs) - Double(arrivalMs)
        clockOffsetMs = messages == 0 ? offset : clockOffsetMs + (offset - clockOffsetMs) * Self.offsetWeight
        messages += 1
        if arrivalMs > lastArrivalMs { lastArrivalMs = arrivalMs }
        lastEventMs = eventMs
    }

    /// The device's clock extrapolated to ingest time `nowMs`: its watermark plus the time
    /// it has been quiet (never behind its watermark).
    func extrapolatedClock(at nowMs: Int64) -> Int64 {
        guard watermark != .min else { return .min }
        guard lastArrivalMs != .min, nowMs > lastArrivalMs else { return watermark }
        let (sum, overflow) = watermark.addingReportingOverflow(nowMs - lastArrivalMs)
        return overflow ? .max : sum
    }
}
