import Foundation
import Testing
import TelemetryCore
import TelemetryDaemon

/// The same readings, their `ts` written in seconds, milliseconds, microseconds and
/// nanoseconds, replayed end to end: every unit gives the same rollups, and those are what an
/// independent computation from the capture gives.
@Suite struct TimestampUnitReplayTests {
    /// 2026-12-01T03:00:00Z.
    static let startMs: Int64 = 1_796_094_000_000

    /// `ts` of event time `ms` in `unit`, with digits below the millisecond where the unit
    /// has them (they must be floored away): `1796094000.123`, `1796094000123`,
    /// `1796094000123456`, `1796094000123456789` (past 2^53).
    static func ts(_ ms: Int64, unit: String, m: Int) -> String {
        // A changing sub-millisecond part, in ns; the last nanosecond of its millisecond at the
        // end of a 10 s window, where a Double (spacing 256 ns there) would round into the next.
        let sub = ms % 10_000 == 9_999 ? 999_999 : Int64(m * 7_919 % 1_000_000)
        switch unit {
        case "s": return "\(ms / 1000)." + String("00\(ms % 1000)".suffix(3))
        case "ms": return "\(ms)"
        case "us": return "\(ms * 1_000 + sub / 1_000)"
        default: return "\(ms * 1_000_000 + sub)"
        }
    }

    /// One device per unit, publishing the same 600 readings (two metrics) on `topic(unit)`,
    /// 1.3 to 1.55 s apart, at millisecond event times (every tenth moved on to the last
    /// millisecond of its 10 s window); arrival 40 ms after the event.
    static func capture(units: [String], topic: (String) -> String) -> [String] {
        var lines: [(Int64, String)] = []
        for (d, unit) in units.enumerated() {
            var ms = startMs
            for m in 0..<600 {
                ms += 1_300 + Int64(m * 37 % 250)
                if m % 10 == 3 { ms += 9_999 - ms % 10_000 }
                let payload = "{\"ts\":\(ts(ms, unit: unit, m: m)),\"seq\":\(m + 1),\"pm25\":\(Double(m % 97) / 4),\"power\":{\"voltage\":\(220 + m % 13)}}"
                lines.append((ms * 10_000 + Int64(d * 1_000 + m), String(format: "%.3f", Double(ms + 40) / 1000) + " vn/hanoi/\(topic(unit)) " + payload))
            }
        }
        return lines.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Replays `lines` with `templates` and checks the rollups against the reference; returns
    /// each device's rows with the device name taken out, for comparing devices.
    static func replayAndCompare(
        _ lines: [String], templates: [String], tsUnits: [String: String]
    ) async throws -> [String: [String]] {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = dir.write("units.capture", Array((lines.joined(separator: "\n") + "\n").utf8))
        let summary = try await replay([capture], dataDir: dir.path + "/data") { c in
            c.templates = templates.map { try! TopicTemplate(spec: $0) }
        }
        #expect(summary.messages == lines.count)
        #expect(summary.deadLetters == 0)

        let expected = ReferenceRollups.compute(captureLines: lines, windows: DaemonConfiguration().windows, tsUnits: tsUnits)
        let (rows, raw) = try RollupFiles.read(dir.path + "/data")
        #expect(!rows.isEmpty)
        #expect(rows.count == expected.count)
        for row in rows {
            let key = ReferenceRollups.Key(
                window: row.window, startMs: UTCTimestamp.parse(row.start)!, site: row.site, device: row.device, metric: row.metric)
            guard let values = expected[key] else {
                Issue.record("unexpected rollup \(key)")
                continue
            }
            let (count, fields) = ReferenceRollups.stats(values)
            #expect(row.count == count, "\(key)")
            for (name, v) in fields { #expect(close(row.values[name]!, v), "\(key) \(name): \(row.values[name]!) vs \(v)") }
        }
        var byDevice: [String: [String]] = [:]
        for (row, line) in zip(rows, raw) {
            byDevice[row.device, default: []].append(line.replacingOccurrences(of: "\"device\":\"\(row.device)\"", with: ""))
        }
        return byDevice.mapValues { $0.sorted() }
    }

    @Test func theSameReadingsInSecondsMillisecondsMicrosecondsAndNanosecondsGiveTheSameRollups() async throws {
        let units = ["s", "ms", "us", "ns"]
        let lines = Self.capture(units: units) { "d-\($0)/ts-\($0)" }
        let templates = units.map { "vn/{site}/{device}/ts-\($0) json ts_unit=\($0)" }
        let tsUnits = Dictionary(uniqueKeysWithValues: units.map { ("ts-\($0)", $0) })
        let byDevice = try await Self.replayAndCompare(lines, templates: templates, tsUnits: tsUnits)
        #expect(byDevice.count == 4)
        #expect(byDevice["d-s"]?.isEmpty == false)
        for unit in units { #expect(byDevice["d-\(unit)"] == byDevice["d-ms"], "\(unit)") }
    }

    /// The default template (`ts_unit=auto`) tells the four units apart by magnitude.
    @Test func autoReadsEachUnitOnTheDefaultTemplateAsTheSameTime() async throws {
        let units = ["s", "ms", "us", "ns"]
        let lines = Self.capture(units: units) { "d-\($0)/telemetry" }
        let byDevice = try await Self.replayAndCompare(
            lines, templates: TopicTemplate.defaults.map(\.description), tsUnits: [:])
        #expect(byDevice.count == 4)
        for unit in units { #expect(byDevice["d-\(unit)"] == byDevice["d-ms"], "\(unit)") }
    }
}
