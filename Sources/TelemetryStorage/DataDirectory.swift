package import TelemetryCore

/// The layout of telemetryd's data directory: the one place that knows where each file is,
/// for the daemon's sinks and for reading the files back.
///
/// ```
/// <root>/rollups/<window>/<YYYY-MM-DD>/<HH>.jsonl|csv   rollups, by UTC window start
/// <root>/deadletter/<YYYY-MM-DD>.jsonl                 rejected messages
/// <root>/status.json                                   counters, rewritten atomically
/// <root>/devices.jsonl                                 per-device health, rewritten atomically
/// <root>/state/                                        checkpoint.json, journal-<epoch>, replayed
/// <root>/wal/<first LSN>.wal                           write-ahead log segments (live mode)
/// ```
/// Threading: an immutable value.
package struct DataDirectory: Sendable, Equatable {
    package let root: String

    package init(_ root: String) {
        var r = root
        while r.count > 1, r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    package var rollups: String { root + "/rollups" }
    package var deadLetters: String { root + "/deadletter" }
    package var status: String { root + "/status.json" }
    /// Per-device health, one JSON object per device (see `DeviceHealthFile`).
    package var devices: String { root + "/devices.jsonl" }
    package var state: String { root + "/state" }
    /// The captures replayed into this directory (see `ReplayLedger`).
    package var replayLedger: String { state + "/replayed" }
    /// The write-ahead log's segments (live mode).
    package var wal: String { root + "/wal" }

    /// Directory of one window size.
    package func rollupWindow(_ window: String) -> String { "\(rollups)/\(window)" }

    /// Directory of one window size and UTC day.
    package func rollupDay(window: String, day: String) -> String { "\(rollupWindow(window))/\(day)" }

    /// The file for the rollups of `window` whose windows start in the UTC hour of `startMs`:
    /// `rollups/<window>/<YYYY-MM-DD>/<HH>.<ext>`.
    package func rollupFile(window: String, startMs: Int64, format: RollupFileFormat) -> String {
        let day = rollupDay(window: window, day: UTCTimestamp.dayString(milliseconds: startMs))
        return "\(day)/\(UTCTimestamp.hourString(milliseconds: startMs)).\(format.fileExtension)"
    }

    /// Epoch ms of the UTC midnight a day directory name (`YYYY-MM-DD`) stands for; `nil` for
    /// any other name.
    package static func rollupDayStart(_ name: String) -> Int64? {
        guard name.utf8.count == 10 else { return nil }
        return UTCTimestamp.parse(name + "T00:00:00Z")
    }

    /// The UTC hour (0–23) and format a rollup file name (`<HH>.jsonl`, `<HH>.csv`) stands
    /// for; `nil` for any other name (temporary files, other extensions).
    package static func rollupHourFile(_ name: String) -> (hour: Int, format: RollupFileFormat)? {
        guard let format = RollupFileFormat(fileName: name) else { return nil }
        let stem = name.dropLast(format.fileExtension.utf8.count + 1)
        guard stem.utf8.count == 2, let hour = Int(stem), (0..<24).contains(hour) else { return nil }
        return (hour, format)
    }
}
