package import TelemetryCore

/// A snapshot of the pipeline's counters, as written to `status.json` and summarised at exit.
///
/// Threading: a value type.
package struct PipelineStatus: Sendable, Equatable {
    package var mode: String
    package var startedMs: Int64
    package var updatedMs: Int64
    package var received = 0
    package var readings = 0
    package var accepted = 0
    package var deadLetters = 0
    package var deadLettersByReason: [RejectReason: Int] = [:]
    /// Dead letters counted but not written: the dead-letter buffer was full.
    package var deadLettersDropped = 0
    package var duplicates = 0
    package var duplicateReadings = 0
    package var gaps = 0
    package var deviceRestarts = 0
    package var tooLate = 0
    package var lateByWindow: [String: Int] = [:]
    package var dropped = 0
    package var blocked = 0
    package var rollupsWritten = 0
    package var ringCapacity = 0
    package var ringInUse = 0
    package var ringHighWater = 0
    package var overflowPolicy = OverflowPolicy.block
    package var windows: [String] = []
    package var openWindows = 0
    package var series = 0
    package var devices = 0
    /// The latest event time accepted from any device (display only: each device's windows
    /// go by its own clock).
    package var watermarkMs: Int64?
    /// The ingest clock (latest arrival time, or the wall clock between messages live).
    package var ingestClockMs: Int64?
    /// When the first open window is expected to be written (ingest clock).
    package var nextCloseMs: Int64?
    /// Windows written again because readings came after their device had gone quiet.
    package var reopenedWindows = 0
    package var idleCloseMs: Int64?
    /// Live mode with the write-ahead log on: messages in the log after the last checkpoint
    /// (what a crash now would replay). For the metrics endpoint; not in status.json.
    package var walRecordsSinceCheckpoint: Int?
    /// Live mode: when the last checkpoint was written (nil before the first). For the
    /// metrics endpoint; not in status.json.
    package var lastCheckpointMs: Int64?
    package var lastError: String?

    /// The `status.json` document: pretty-printed by ``JSONWriter``, keys sorted (``keyOrder``) at every
    /// level, trailing newline.
    package func json() -> [UInt8] {
        var w = JSONWriter(style: .pretty, reservingCapacity: 2_048)
        w.beginObject()  // members in sorted order
        w.key("counters")
        Self.sortedObject([
            "received": received, "readings": readings, "readings_accepted": accepted,
            "dead_letters": deadLetters, "dead_letters_dropped": deadLettersDropped, "duplicates": duplicates, "duplicate_readings": duplicateReadings,
            "gaps": gaps, "device_restarts": deviceRestarts, "late": tooLate, "dropped": dropped,
            "blocked": blocked, "rollups_written": rollupsWritten, "windows_reopened": reopenedWindows,
        ], &w)
        w.key("dead_letters_by_reason")
        Self.sortedObject(Dictionary(uniqueKeysWithValues: deadLettersByReason.map { ($0.key.rawValue, $0.value) }), &w)
        w.key("devices"); w.integer(devices)
        w.key("idle_close"); if let idleCloseMs { w.string(Self.durationText(idleCloseMs)) } else { w.string("off") }
        if let ingestClockMs { w.key("ingest_clock"); w.string(UTCTimestamp.format(milliseconds: ingestClockMs)) }
        if let lastError { w.key("last_error"); w.string(lastError) }
        w.key("late_by_window"); Self.sortedObject(lateByWindow, &w)
        w.key("mode"); w.string(mode)
        if let nextCloseMs { w.key("next_close"); w.string(UTCTimestamp.format(milliseconds: nextCloseMs)) }
        w.key("open_windows"); w.integer(openWindows)
        w.key("ring"); w.beginObject()
        w.key("capacity"); w.integer(ringCapacity)
        w.key("high_water"); w.integer(ringHighWater)
        w.key("in_use"); w.integer(ringInUse)
        w.key("overflow_policy"); w.string(overflowPolicy.rawValue)
        w.endObject()
        w.key("series"); w.integer(series)
        w.key("started"); w.string(UTCTimestamp.format(milliseconds: startedMs))
        w.key("updated"); w.string(UTCTimestamp.format(milliseconds: updatedMs))
        w.key("version"); w.integer(1)
        if let watermarkMs { w.key("watermark"); w.string(UTCTimestamp.format(milliseconds: watermarkMs)) }
        w.key("windows"); w.beginArray()
        for name in windows { w.string(name) }
        w.endArray()
        w.endObject()
        w.bytes.append(0x0A)
        return w.bytes
    }

    /// `30s`, `1500ms`, `2m`: a duration as the configuration spells it.
    static func durationText(_ ms: Int64) -> String {
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1_000 == 0 { return "\(ms / 1_000)s" }
        return "\(ms)ms"
    }

    private static func sortedObject(_ counts: [String: Int], _ w: inout JSONWriter) {
        w.beginObject()
        for (key, n) in counts.sorted(by: { keyOrder($0.key, $1.key) }) { w.key(key); w.integer(n) }
        w.endObject()
    }

    /// The key order status.json has always had: runs of digits compare by value, letters
    /// without regard to case (`1h`, `1m`, `10s`; `bad_json`, `no_template`).
    static func keyOrder(_ a: String, _ b: String) -> Bool {
        var x = Array(a.utf8)[...], y = Array(b.utf8)[...]
        func isDigit(_ c: UInt8) -> Bool { c &- 0x30 <= 9 }
        func number(_ s: inout ArraySlice<UInt8>) -> (value: UInt64, digits: Int) {
            var value: UInt64 = 0, digits = 0
            while let c = s.first, isDigit(c) { value = value &* 10 &+ UInt64(c - 0x30); digits += 1; s.removeFirst() }
            return (value, digits)
        }
        while let c = x.first, let d = y.first {
            if isDigit(c), isDigit(d) {
                let (m, n) = (number(&x), number(&y))
                if m.value != n.value { return m.value < n.value }
                continue
            }
            let (p, q) = (c | (c &- 0x41 < 26 ? 0x20 : 0), d | (d &- 0x41 < 26 ? 0x20 : 0))
            if p != q { return p < q }
            x.removeFirst(); y.removeFirst()
        }
        return x.isEmpty && !y.isEmpty
    }
}
