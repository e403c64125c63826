import Foundation
import Testing
import TelemetryTestSupport
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// A random, clean (in order, no duplicates) capture of several devices and formats.
func cleanCapture(seed: UInt64, devices: Int, messagesPerDevice: Int, startMs: Int64) -> [String] {
    var rng = seed
    func next() -> Double {
        rng = rng &* 6364136223846793005 &+ 1442695040888963407
        return Double(rng >> 11) / Double(1 << 53)
    }
    var lines: [(Int64, String)] = []
    let sites = ["hanoi", "hcmc", "dongnai", "binhduong", "danang"]
    for d in 0..<devices {
        let site = sites[d % sites.count]
        for m in 0..<messagesPerDevice {
            let ts = startMs + Int64(m) * 7_000 + Int64(d) * 37
            let arrival = Double(ts + 50) / 1000
            switch d % 3 {
            case 0:
                let pm = (next() * 800).rounded() / 10
                lines.append((ts, String(format: "%.3f", arrival) + " vn/\(site)/aq-\(d)/telemetry {\"ts\":\(ts),\"seq\":\(m + 1),\"pm25\":\(pm),\"humidity\":\(Int(next() * 100)),\"ok\":true,\"fw\":\"1.2\"}"))
            case 1:
                let v = 220 + (next() * 200).rounded() / 10
                let iso = UTCTimestamp.format(milliseconds: ts)
                lines.append((ts, String(format: "%.3f", arrival) + " vn/\(site)/pm-\(d)/telemetry {\"ts\":\"\(iso)\",\"seq\":\(m + 1),\"power\":{\"voltage\":\(v),\"current\":\(next() * 30)},\"energy\":\(1000 + m)}"))
            default:
                lines.append((ts, String(format: "%.3f", Double(ts) / 1000) + " vn/\(site)/wl-\(d)/water_level \((next() * 300).rounded() / 100)"))
            }
        }
    }
    return lines.sorted { $0.0 < $1.0 }.map(\.1)
}

@Suite struct ReplayTests {
    @Test func replayedRollupsMatchAnIndependentComputation() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = cleanCapture(seed: 7, devices: 12, messagesPerDevice: 400, startMs: 1_795_500_000_000)
        let capture = dir.write("capture.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        let summary = try await replay([capture], dataDir: dir.path + "/data")
        #expect(summary.messages == lines.count)
        #expect(summary.deadLetters == 0)

        let expected = ReferenceRollups.compute(captureLines: lines, windows: DaemonConfiguration().windows)
        let (rows, _) = try RollupFiles.read(dir.path + "/data")
        #expect(rows.count == expected.count)
        var seen = Set<ReferenceRollups.Key>()
        for row in rows {
            let key = ReferenceRollups.Key(
                window: row.window, startMs: UTCTimestamp.parse(row.start)!, site: row.site, device: row.device, metric: row.metric)
            #expect(seen.insert(key).inserted, "rollup written twice: \(key)")
            guard let values = expected[key] else {
                Issue.record("unexpected rollup \(key)")
                continue
            }
            let (count, fields) = ReferenceRollups.stats(values)
            #expect(row.count == count, "\(key)")
            for (name, v) in fields { #expect(close(row.values[name]!, v), "\(key) \(name): \(row.values[name]!) vs \(v)") }
            #expect(UTCTimestamp.parse(row.end)! - key.startMs == WindowSize(parsing: row.window)!.milliseconds)
        }
    }

    @Test func everyFloatInARollupFileHasADecimalPointOrExponent() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Whole-number values only: the naive encoding would write 230, not 230.0.
        let lines = (0..<50).map { i in
            "\(1_795_500_000 + i).000 vn/hcmc/m1/telemetry {\"ts\":\((1_795_500_000 + i) * 1000),\"voltage\":230,\"count\":\(i)}"
        }
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        _ = try await replay([capture], dataDir: dir.path + "/data")
        let (_, raw) = try RollupFiles.read(dir.path + "/data")
        #expect(!raw.isEmpty)
        let floatFields = ["min", "max", "sum", "mean", "first", "last", "stddev", "m2", "p50", "p90", "p95", "p99"]
        for line in raw {
            for f in floatFields {
                let range = line.range(of: "\"\(f)\":")!
                let value = line[range.upperBound...].prefix { $0 != "," && $0 != "}" }
                #expect(value.contains(".") || value.contains("e"), "\(f) written as \(value) in \(line)")
            }
        }
    }

    @Test func everyBadLineIsDeadLetteredWithItsReason() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let t = 1_795_500_000
        let bad: [(String, RejectReason)] = [
            ("\(t).100 factory/a/b {\"x\":1}", .noTemplate),
            ("\(t).200 vn/hanoi/d1/telemetry {\"pm25\":", .badJSON),
            ("\(t).300 vn/hanoi/d1/telemetry {\"pm25\":1e999}", .nonFinite),
            ("\(t).400 vn/hanoi/d1/telemetry {}", .noMetrics),
            ("\(t).500 vn/hanoi/d1/pm25 abc", .badNumber),
            ("\(t).600 vn/hanoi/d1/pm25 NaN", .nonFinite),
            ("\(t).700 vn/hanoi/d1/telemetry {\"ts\":\((t + 3600) * 1000),\"pm25\":1}", .tooFarFuture),
            ("\(t).800 vn/ha..noi/d1/telemetry {\"pm25\":1}", .badTag),
            ("not a capture line", .badCaptureLine),
        ]
        var lines = ["\(t).000 vn/hanoi/d1/telemetry {\"pm25\":5}"] + bad.map(\.0)
        lines.append("\(t + 60).000 vn/hanoi/d1/telemetry {\"ts\":\(t * 1000),\"pm25\":6}")  // too late for every window but 1h
        var bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        bytes += Array("\(t).900 vn/hanoi/d1/telemetry {\"pm25\":\"".utf8) + [0xFF, 0xFE] + Array("\"}\n".utf8)
        let capture = dir.write("c.txt", bytes)
        let summary = try await replay([capture], dataDir: dir.path + "/data")
        #expect(summary.deadLetters == bad.count + 1)

        var reasons: [String] = []
        for file in FileSystem.files(below: dir.path + "/data/deadletter") {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                reasons.append(o["reason"] as! String)
                #expect(o["received"] is String)
                #expect(o["payload"] is String || o["payload_base64"] is String)
                if o["reason"] as? String == "not_utf8" {
                    #expect(Data(base64Encoded: o["payload_base64"] as! String)!.contains(0xFF))
                }
            }
        }
        #expect(reasons.sorted() == (bad.map(\.1.rawValue) + ["not_utf8"]).sorted())
        let status = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/data/status.json"))) as! [String: Any]
        let byReason = status["dead_letters_by_reason"] as! [String: Int]
        #expect(byReason.values.reduce(0, +) == bad.count + 1)
        #expect(byReason["no_template"] == 1)
    }

    @Test func aReadingTooLateForEveryWindowIsDeadLetteredAsTooLate() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let t: Int64 = 1_795_500_000_000  // 06:00:00Z — an hour boundary
        let lines = [
            "\(t / 1000).000 vn/hanoi/d1/telemetry {\"ts\":\(t),\"pm25\":5}",
            "\(t / 1000 + 7300).000 vn/hanoi/d1/telemetry {\"ts\":\(t + 7_300_000),\"pm25\":6}",
            "\(t / 1000 + 7301).000 vn/hanoi/d1/telemetry {\"ts\":\(t + 1000),\"seq\":9,\"pm25\":7}",
        ]
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        let summary = try await replay([capture], dataDir: dir.path + "/data")
        #expect(summary.deadLetters == 1)
        let text = try String(contentsOfFile: FileSystem.files(below: dir.path + "/data/deadletter")[0], encoding: .utf8)
        #expect(text.contains("\"reason\":\"too_late\""))
        #expect(text.contains("pm25"))
    }

    @Test func csvFormatWritesAHeaderAndTheSameColumns() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = cleanCapture(seed: 3, devices: 3, messagesPerDevice: 20, startMs: 1_795_500_000_000)
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        _ = try await replay([capture], dataDir: dir.path + "/data") { $0.fileFormat = .csv }
        let files = FileSystem.files(below: dir.path + "/data/rollups").filter { $0.hasSuffix(".csv") }
        #expect(!files.isEmpty)
        for f in files {
            let text = try String(contentsOfFile: f, encoding: .utf8)
            let rows = text.split(separator: "\n")
            #expect(rows[0] == "window,start,end,site,device,metric,count,min,max,sum,mean,first,last,stddev,"
                    + "first_ts,last_ts,m2,p50,p90,p95,p99,sketch")
            #expect(rows.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 22 })
        }
    }

    @Test func aTornLastLineIsCutAtStartUp() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = cleanCapture(seed: 5, devices: 2, messagesPerDevice: 10, startMs: 1_795_500_000_000)
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        _ = try await replay([capture], dataDir: dir.path + "/data")
        let file = FileSystem.files(below: dir.path + "/data/rollups")[0]
        let handle = FileHandle(forWritingAtPath: file)!
        handle.seekToEndOfFile()
        handle.write(Data("{\"window\":\"10s\",\"start\":\"2026".utf8))
        handle.closeFile()
        let other = dir.write("other.txt", Array("\(1_795_600_000).000 vn/a/b/telemetry {\"x\":1}\n".utf8))
        _ = try await replay([other], dataDir: dir.path + "/data")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(!text.contains("\"start\":\"2026\n"))
    }

    @Test func duckDBReadsTheRollupFilesAsTheyAre() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = cleanCapture(seed: 11, devices: 6, messagesPerDevice: 100, startMs: 1_795_500_000_000)
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        _ = try await replay([capture], dataDir: dir.path + "/data")
        let (rows, _) = try RollupFiles.read(dir.path + "/data")
        let oneMinute = rows.filter { $0.window == "1m" }
        let script = """
            import duckdb
            r = duckdb.sql("select count(*), sum(count), typeof(any_value(min)), typeof(any_value(stddev)), \
            typeof(any_value(start)) from read_json_auto('\(dir.path)/data/rollups/1m/*/*.jsonl')").fetchall()[0]
            print("|".join(str(x) for x in r))
            """
        let (status, text) = try await runPython(script)
        #expect(status == 0, "python3 with duckdb is needed (pip install duckdb)")
        let parts = text.split(separator: "|").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(parts.count == 5)
        #expect(Int(parts[0]) == oneMinute.count)
        #expect(Int(parts[1]) == oneMinute.map(\.count).reduce(0, +))
        #expect(parts[2] == "DOUBLE")
        #expect(parts[3] == "DOUBLE")
        #expect(parts[4].hasPrefix("TIMESTAMP"))
    }

    @Test func duckDBTypesTheNewColumnsOverAllWindowsAndMergesTenSecondRowsIntoMinutes() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = cleanCapture(seed: 12, devices: 6, messagesPerDevice: 100, startMs: 1_795_500_000_000)
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        _ = try await replay([capture], dataDir: dir.path + "/data")
        // The README's merge (1h → 1d there), here 10s → 1m, against the daemon's own 1m rows:
        // count, min, max, first, last and their times exactly; sum, mean and stddev within 1e-9.
        let script = """
            import duckdb
            files = '\(dir.path)/data/rollups/*/*/*.jsonl'
            t = duckdb.sql(f"select typeof(any_value(first_ts)), typeof(any_value(last_ts)), typeof(any_value(m2)), \\
            typeof(any_value(p50)), typeof(any_value(p90)), typeof(any_value(p95)), typeof(any_value(p99)), \\
            typeof(any_value(sketch)), typeof(any_value(stddev)) from read_json_auto('{files}')").fetchall()[0]
            print("|".join(t))
            m = duckdb.sql(f\"\"\"
            WITH h AS (SELECT * FROM read_json_auto('\(dir.path)/data/rollups/10s/*/*.jsonl')),
            d AS (
              SELECT site, device, metric, time_bucket(INTERVAL 1 minute, "start"::TIMESTAMP) AS minute,
                     sum("count") AS n, sum("sum") AS total, min("min") AS lo, max("max") AS hi,
                     sum("count" * mean) / sum("count") AS mean,
                     arg_min("first", first_ts::TIMESTAMP) AS first, min(first_ts::TIMESTAMP) AS first_ts,
                     arg_max("last", last_ts::TIMESTAMP) AS last, max(last_ts::TIMESTAMP) AS last_ts
              FROM h GROUP BY ALL),
            merged AS (
              SELECT *, sqrt(m2 / n) AS stddev FROM (
                SELECT d.*, sum(h.m2 + h."count" * (h.mean - d.mean) ^ 2) AS m2
                FROM h JOIN d ON h.site = d.site AND h.device = d.device AND h.metric = d.metric
                             AND time_bucket(INTERVAL 1 minute, h."start"::TIMESTAMP) = d.minute
                GROUP BY ALL)),
            m AS (SELECT * FROM read_json_auto('\(dir.path)/data/rollups/1m/*/*.jsonl'))
            SELECT count(*), count(*) FILTER (WHERE merged.n <> m."count" OR merged.lo <> m."min" OR merged.hi <> m."max"
                     OR merged.first <> m."first" OR merged."last" <> m."last"
                     OR merged.first_ts <> m.first_ts::TIMESTAMP OR merged.last_ts <> m.last_ts::TIMESTAMP
                     OR abs(merged.total - m."sum") > 1e-9 * greatest(abs(m."sum"), 1)
                     OR abs(merged.mean - m.mean) > 1e-9 * greatest(abs(m.mean), 1)
                     OR abs(merged.stddev - m.stddev) > 1e-9 * greatest(m.stddev, 1)),
                   (SELECT count(*) FROM m)
            FROM merged JOIN m ON merged.site = m.site AND merged.device = m.device AND merged.metric = m.metric
                               AND merged.minute = m."start"::TIMESTAMP
            \"\"\").fetchall()[0]
            print("|".join(str(x) for x in m))
            """
        let (status, text) = try await runPython(script)
        #expect(status == 0, "python3 with duckdb is needed (pip install duckdb): \(text)")
        let lines2 = text.split(separator: "\n").map(String.init)
        try #require(lines2.count == 2, "\(text)")
        let types = lines2[0].split(separator: "|").map(String.init)
        #expect(types[0].hasPrefix("TIMESTAMP") && types[1] == types[0], "\(types)")
        #expect(types[2...6].allSatisfy { $0 == "DOUBLE" }, "\(types)")
        #expect(types[7] == "VARCHAR")
        #expect(types[8] == "DOUBLE")
        let counts = lines2[1].split(separator: "|").compactMap { Int($0) }
        try #require(counts.count == 3)
        #expect(counts[0] > 0 && counts[0] == counts[2], "every 1m row has its merge: \(counts)")
        #expect(counts[1] == 0, "merged rows that differ: \(counts)")
    }
}
