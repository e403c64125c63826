import Foundation
import TelemetryCore

/// A snapshot of the pipeline's counters, as written to `status.json` and summarised at exit.
///
/// Threading: a value type.
public struct PipelineStatus: Sendable, Equatable {
    public var mode: String
    public var startedMs: Int64
    public var updatedMs: Int64
    public var received = 0
    public var readings = 0
    public var accepted = 0
    public var deadLetters = 0
    public var deadLettersByReason: [RejectReason: Int] = [:]
    public var duplicates = 0
    public var duplicateReadings = 0
    public var gaps = 0
    public var deviceRestarts = 0
    public var tooLate = 0
    public var lateByWindow: [String: Int] = [:]
    public var dropped = 0
    public var blocked = 0
    public var rollupsWritten = 0
    public var ringCapacity = 0
    public var ringInUse = 0
    public var ringHighWater = 0
    public var overflowPolicy = OverflowPolicy.block
    public var windows: [String] = []
    public var openWindows = 0
    public var series = 0
    public var devices = 0
    public var watermarkMs: Int64?
    public var lastError: String?

    /// The `status.json` document (pretty-printed, keys sorted, trailing newline).
    public func json() -> [UInt8] {
        var counters: [String: Any] = [
            "received": received, "readings": readings, "readings_accepted": accepted,
            "dead_letters": deadLetters, "duplicates": duplicates, "duplicate_readings": duplicateReadings,
            "gaps": gaps, "device_restarts": deviceRestarts, "late": tooLate, "dropped": dropped,
            "blocked": blocked, "rollups_written": rollupsWritten,
        ]
        var doc: [String: Any] = [
            "version": 1,
            "mode": mode,
            "started": UTCTimestamp.format(milliseconds: startedMs),
            "updated": UTCTimestamp.format(milliseconds: updatedMs),
            "counters": counters,
            "dead_letters_by_reason": Dictionary(uniqueKeysWithValues: deadLettersByReason.map { ($0.key.rawValue, $0.value) }),
            "late_by_window": lateByWindow,
            "ring": ["capacity": ringCapacity, "in_use": ringInUse, "high_water": ringHighWater,
                     "overflow_policy": overflowPolicy.rawValue] as [String: Any],
            "windows": windows,
            "open_windows": openWindows,
            "series": series,
            "devices": devices,
        ]
        if let w = watermarkMs { doc["watermark"] = UTCTimestamp.format(milliseconds: w) }
        if let e = lastError { doc["last_error"] = e }
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
        return Array(data) + [0x0A]
    }
}
