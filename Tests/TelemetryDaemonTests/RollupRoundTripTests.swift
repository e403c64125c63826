import Foundation
import Testing
import TelemetryCore
import TelemetryStorage

/// Rollups written by the daemon's sink, read back by the reader and printed by
/// `telemetryctl query` come out as the very bytes of the file, whatever the tags hold.
@Suite struct RollupRoundTripTests {
    static let start: Int64 = 1_795_500_000_000  // 2026-11-24T06:00:00Z

    static let hostileTags = [
        "say \"hi\"", #"back\slash"#, "a,b", "two  spaces", "line\nbreak", "c1\u{85}next", "sep\u{2028}arator",
        "Hà Nội — Đà Nẵng", "emoji 😀🌫", "tab\tand\rreturn", "plain",
    ]

    /// One rollup per hostile tag (as site, device and metric in turn), in `query`'s output order.
    static func rollups() -> [Rollup] {
        var out: [Rollup] = []
        for (i, tag) in hostileTags.enumerated() {
            var stats = RollupAccumulator()
            var sketch = QuantileSketch()
            for (k, v) in [230, 1e-7 * Double(i + 1), 123_456_789.125, -0.5].enumerated() {
                stats.add(v, at: start + Int64(k))
                sketch.add(v)
            }
            let keys = [SeriesKey(site: tag, device: "d", metric: "m"), SeriesKey(site: "s", device: tag, metric: "m"),
                        SeriesKey(site: "s", device: "d", metric: tag)]
            for key in keys {
                out.append(Rollup(window: WindowSize(parsing: "1m")!, startMs: start + Int64(i) * 60_000, key: key, stats: stats, sketch: sketch))
            }
        }
        return out.sorted {
            ($0.startMs, $0.key.site, $0.key.device, $0.key.metric) < ($1.startMs, $1.key.site, $1.key.device, $1.key.metric)
        }
    }

    /// Writes the rollups with the sink and returns the one file's path.
    static func write(_ rollups: [Rollup], format: RollupFileFormat, to dataDir: String) throws -> String {
        let sink = RollupFileSink(directory: DataDirectory(dataDir), format: format)
        try sink.write(rollups)
        try sink.flush()
        let files = FileSystem.files(below: dataDir + "/rollups")
        #expect(files.count == 1)
        return try #require(files.first)
    }

    @Test(arguments: [RollupFileFormat.jsonl, .csv])
    func queryPrintsTheFileBytesAndTheReaderGetsTheRowsBack(format: RollupFileFormat) async throws {
        let dir = TemporaryDirectory("roundtrip-\(format.rawValue)")
        defer { dir.remove() }
        let rollups = Self.rollups()
        let path = try Self.write(rollups, format: format, to: dir.path)
        let file = try Data(contentsOf: URL(fileURLWithPath: path))

        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll() == rollups.map { RollupRow($0) })
        #expect(reader.malformed.count == 0)

        let query = try await Executables.run("telemetryctl", [
            "--data-dir", dir.path, "query", "--window", "1m", "--format", format == .csv ? "csv" : "json"])
        #expect(query.status == 0, "\(query.stderr)")
        #expect(query.stdout == String(decoding: file, as: UTF8.self))
    }

    @Test func hostileTagsAreEscapedInJSONLinesAndQuotedInCSV() async throws {
        var json: [UInt8] = [], csv: [UInt8] = []
        let r = Rollup(window: WindowSize(parsing: "1m")!, startMs: Self.start,
                       key: SeriesKey(site: "c1\u{85} \"q\"", device: "sep\u{2028}", metric: "a,b\nc"),
                       stats: { var s = RollupAccumulator(); s.add(1, at: Self.start); return s }())
        RollupEncoder.append(r, format: .jsonl, to: &json)
        RollupEncoder.append(r, format: .csv, to: &csv)
        let jsonText = String(decoding: json, as: UTF8.self)
        #expect(jsonText.contains(#""site":"c1\u0085 \"q\"","device":"sep\u2028","metric":"a,b\nc""#))
        #expect(jsonText.filter { $0 == "\n" }.count == 1)
        #expect(String(decoding: csv, as: UTF8.self).contains("\"c1\u{85} \"\"q\"\"\",sep\u{2028},\"a,b\nc\","))
    }
}
