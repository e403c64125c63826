/// Placeholder until the devices view lands (replaced by its own file on merge).
public struct DeviceHealth: Sendable, Equatable {
    public var site: String
    public var device: String
    public var lastArrivalMs: Int64
    public var lastEventMs: Int64
    public var watermarkMs: Int64
    public var clockOffsetMs: Double
    public var messages: Int
    public var readings: Int
    public var duplicates: Int
    public var gaps: Int
    public var restarts: Int
    public var tooLate: Int
    public var lateByWindow: [String: Int]
    public var deadLetters: Int
    public var openWindows: Int

    public init(
        site: String, device: String, lastArrivalMs: Int64, lastEventMs: Int64, watermarkMs: Int64,
        clockOffsetMs: Double, messages: Int, readings: Int, duplicates: Int, gaps: Int, restarts: Int,
        tooLate: Int, lateByWindow: [String: Int], deadLetters: Int, openWindows: Int
    ) {
        self.site = site; self.device = device; self.lastArrivalMs = lastArrivalMs; self.lastEventMs = lastEventMs
        self.watermarkMs = watermarkMs; self.clockOffsetMs = clockOffsetMs; self.messages = messages
        self.readings = readings; self.duplicates = duplicates; self.gaps = gaps; self.restarts = restarts
        self.tooLate = tooLate; self.lateByWindow = lateByWindow; self.deadLetters = deadLetters
        self.openWindows = openWindows
    }
}
