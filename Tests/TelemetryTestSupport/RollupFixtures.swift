import Foundation
package import TelemetryCore
package import TelemetryStorage

/// A data directory under the system temporary directory, removed when released.
package final class TemporaryDataDirectory {
    package let path: String

    package init() throws {
        path = NSTemporaryDirectory() + "telemetryctl-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The rollup files in it.
    package var directory: RollupDirectory { RollupDirectory(dataDirectory: path) }

    /// Writes `contents` to `relativePath`, creating directories.
    @discardableResult
    package func write(_ relativePath: String, _ contents: String) throws -> String {
        let full = path + "/" + relativePath
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Appends `contents` to `relativePath` (which must exist).
    package func append(_ relativePath: String, _ contents: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/" + relativePath))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(contents.utf8))
    }
}

/// A rollup row with sensible defaults, for building fixtures and expectations.
package func makeRow(
    window: String = "1m", start: String = "2026-11-24T06:00:00.000Z", site: String = "hanoi",
    device: String = "aq-hanoi-001", metric: String = "pm25", count: Int64 = 6, mean: Double = 35.6
) -> RollupRow {
    let w = WindowSize(parsing: window)!
    let s = UTCTimestamp.parse(start)!
    // The mergeable state as the daemon writes it: a sketch of `count` values around the mean.
    var sketch = QuantileSketch()
    for i in 0..<Int(count) { sketch.add(mean + Double(i % 3) - 1) }
    let percentiles = Percentile.defaults.map {
        RollupRow.PercentileValue($0, $0.value(of: sketch, min: mean - 5, max: mean + 5)!)
    }
    return RollupRow(
        window: w, start: s, end: s + w.milliseconds, site: site, device: device, metric: metric,
        count: count, min: mean - 5, max: mean + 5, sum: mean * Double(count), mean: mean, first: mean - 1,
        last: mean + 1, stddev: 3.72, firstTs: s + 1_000, lastTs: s + w.milliseconds / 2,
        m2: 3.72 * 3.72 * Double(count), percentiles: percentiles, sketch: sketch)
}

/// One JSON Lines record (with newline) as the daemon writes it.
package func jsonLine(_ row: RollupRow) -> String { rollupLine(row, .jsonl) }

/// One CSV record (with newline) as the daemon writes it.
package func csvLine(_ row: RollupRow) -> String { rollupLine(row, .csv) }

/// The CSV header line (with newline) as the daemon writes it.
package let csvHeaderLine = String(decoding: RollupEncoder.csvHeader, as: UTF8.self)

private func rollupLine(_ row: RollupRow, _ format: RollupFileFormat) -> String {
    var bytes: [UInt8] = []
    RollupEncoder.append(row, format: format, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

/// Epoch ms of an RFC 3339 literal.
package func ms(_ text: String) -> Int64 { UTCTimestamp.parse(text)! }

/// A data directory with 1m rollups in hours 05 (jsonl), 06 (jsonl + csv) and 07 (jsonl), and
/// an empty 1h window.
package func makeQueryFixture() throws -> TemporaryDataDirectory {
    let dir = try TemporaryDataDirectory()
    try dir.write("rollups/1m/2026-11-24/05.jsonl",
        jsonLine(makeRow(start: "2026-11-24T05:59:00Z", metric: "pm25", mean: 1))
        + jsonLine(makeRow(start: "2026-11-24T05:58:00Z", site: "hcmc", device: "aq-hcm-001", mean: 2)))
    try dir.write("rollups/1m/2026-11-24/06.jsonl",
        jsonLine(makeRow(start: "2026-11-24T06:01:00Z", metric: "pm25", mean: 3))
        + jsonLine(makeRow(start: "2026-11-24T06:00:00Z", metric: "power.voltage", mean: 230))
        + jsonLine(makeRow(start: "2026-11-24T06:00:00Z", site: "Hà Nội", device: "aq-hn-002", mean: 4)))
    try dir.write("rollups/1m/2026-11-24/06.csv",
        csvHeaderLine + csvLine(makeRow(start: "2026-11-24T06:00:00Z", metric: "pm25", mean: 5)))
    try dir.write("rollups/1m/2026-11-24/07.jsonl",
        jsonLine(makeRow(start: "2026-11-24T07:00:00Z", metric: "pm25", mean: 6)))
    try dir.write("rollups/1h/.keep", "")
    try dir.write("rollups/10s/2026-11-24/06.jsonl.tmp", "junk\n")
    try dir.write("rollups/not-a-window/x.jsonl", "junk\n")
    return dir
}
