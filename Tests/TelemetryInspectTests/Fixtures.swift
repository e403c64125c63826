import Foundation
import TelemetryCore
@testable import TelemetryInspect

/// A data directory under the system temporary directory, removed when released.
final class TemporaryDataDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "telemetryctl-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var directory: RollupDirectory { RollupDirectory(dataDirectory: path) }

    /// Writes `contents` to `relativePath`, creating directories.
    @discardableResult
    func write(_ relativePath: String, _ contents: String) throws -> String {
        let full = path + "/" + relativePath
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Appends `contents` to `relativePath` (which must exist).
    func append(_ relativePath: String, _ contents: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/" + relativePath))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(contents.utf8))
    }
}

/// A rollup row with sensible defaults, for building fixtures and expectations.
func makeRow(
    window: String = "1m", start: String = "2026-11-24T06:00:00.000Z", site: String = "hanoi",
    device: String = "aq-hanoi-001", metric: String = "pm25", count: Int64 = 6, mean: Double = 35.6
) -> RollupRow {
    let w = WindowSize(parsing: window)!
    let s = UTCTimestamp.parse(start)!
    return RollupRow(
        window: w, start: s, end: s + w.milliseconds, site: site, device: device, metric: metric,
        count: count, min: mean - 5, max: mean + 5, sum: mean * Double(count), mean: mean, first: mean - 1,
        last: mean + 1, stddev: 3.72)
}

/// One JSON Lines record (with newline) as the daemon writes it.
func jsonLine(_ row: RollupRow) -> String { RollupRowFormatter.jsonLine(row) + "\n" }

/// One CSV record (with newline) as the daemon writes it.
func csvLine(_ row: RollupRow) -> String { RollupRowFormatter.csvLine(row) + "\n" }

let csvHeaderLine = RollupRowFormatter.csvHeader + "\n"

/// Epoch ms of an RFC 3339 literal.
func ms(_ text: String) -> Int64 { UTCTimestamp.parse(text)! }
