import Foundation
import Testing
import TelemetryCore
@testable import TelemetryDaemon

@Suite struct PipelineStatusTests {
    static func sample(watermark: Int64? = 1_795_500_057_000, lastError: String? = "disk full: Hà Nội \"q\"") -> PipelineStatus {
        var s = PipelineStatus(mode: "live", startedMs: 1_795_496_400_000, updatedMs: 1_795_500_060_000)
        s.received = 3_600; s.readings = 7_200; s.accepted = 7_100; s.deadLetters = 36
        s.deadLettersByReason = [.noTemplate: 30, .badJSON: 4, .tooLate: 2]
        s.duplicates = 3; s.duplicateReadings = 6; s.gaps = 5; s.deviceRestarts = 1; s.tooLate = 2
        s.lateByWindow = ["10s": 4, "1m": 0, "1h": 0]
        s.dropped = 0; s.blocked = 9; s.rollupsWritten = 840
        s.ringCapacity = 65_536; s.ringInUse = 12; s.ringHighWater = 16_384; s.overflowPolicy = .dropNewest
        s.windows = ["10s", "1m", "1h"]; s.openWindows = 12; s.series = 40; s.devices = 8
        s.watermarkMs = watermark; s.lastError = lastError
        if watermark != nil {
            s.ingestClockMs = 1_795_500_059_500; s.nextCloseMs = 1_795_500_065_000; s.reopenedWindows = 2
            s.idleCloseMs = 30_000
        }
        return s
    }

    /// What the status document held when it was built as a dictionary for JSONSerialization.
    static func foundationDocument(_ s: PipelineStatus) -> [String: Any] {
        var doc: [String: Any] = [
            "version": 1, "mode": s.mode,
            "started": UTCTimestamp.format(milliseconds: s.startedMs),
            "updated": UTCTimestamp.format(milliseconds: s.updatedMs),
            "counters": [
                "received": s.received, "readings": s.readings, "readings_accepted": s.accepted,
                "dead_letters": s.deadLetters, "dead_letters_dropped": s.deadLettersDropped, "duplicates": s.duplicates, "duplicate_readings": s.duplicateReadings,
                "gaps": s.gaps, "device_restarts": s.deviceRestarts, "late": s.tooLate, "dropped": s.dropped,
                "blocked": s.blocked, "rollups_written": s.rollupsWritten, "windows_reopened": s.reopenedWindows,
            ],
            "idle_close": s.idleCloseMs.map { "\($0 / 1_000)s" } ?? "off",
            "dead_letters_by_reason": Dictionary(uniqueKeysWithValues: s.deadLettersByReason.map { ($0.key.rawValue, $0.value) }),
            "late_by_window": s.lateByWindow,
            "ring": ["capacity": s.ringCapacity, "in_use": s.ringInUse, "high_water": s.ringHighWater,
                     "overflow_policy": s.overflowPolicy.rawValue] as [String: Any],
            "windows": s.windows, "open_windows": s.openWindows, "series": s.series, "devices": s.devices,
        ]
        if let w = s.watermarkMs { doc["watermark"] = UTCTimestamp.format(milliseconds: w) }
        if let e = s.lastError { doc["last_error"] = e }
        if let t = s.ingestClockMs { doc["ingest_clock"] = UTCTimestamp.format(milliseconds: t) }
        if let t = s.nextCloseMs { doc["next_close"] = UTCTimestamp.format(milliseconds: t) }
        return doc
    }

    @Test(arguments: [sample(), sample(watermark: nil, lastError: nil), PipelineStatus(mode: "replay", startedMs: 0, updatedMs: 0)])
    func statusJSONIsTheDocumentFoundationPrettyPrintedWithSortedKeys(status: PipelineStatus) throws {
        let foundation = try JSONSerialization.data(
            withJSONObject: Self.foundationDocument(status), options: [.prettyPrinted, .sortedKeys])
        #expect(status.json() == Array(foundation) + [0x0A])
    }
}
