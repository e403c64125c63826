import Foundation
import Logging
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "telemetryd-\(safe)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// One rollup line read back with Foundation (independently of the code under test).
struct FileRollup: Hashable {
    var window, start, end, site, device, metric: String
    var count: Int
    var values: [String: Double]
}

enum RollupFiles {
    /// Every `.jsonl` rollup below `dataDir`, parsed with JSONSerialization, plus the raw lines.
    static func read(_ dataDir: String) throws -> (rows: [FileRollup], lines: [String]) {
        var rows: [FileRollup] = []
        var lines: [String] = []
        for file in FileSystem.files(below: dataDir + "/rollups") where file.hasSuffix(".jsonl") {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for line in text.split(separator: "\n") {
                lines.append(String(line))
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                var values: [String: Double] = [:]
                for f in ["min", "max", "sum", "mean", "first", "last", "stddev"] { values[f] = (o[f] as! NSNumber).doubleValue }
                rows.append(FileRollup(
                    window: o["window"] as! String, start: o["start"] as! String, end: o["end"] as! String,
                    site: o["site"] as! String, device: o["device"] as! String, metric: o["metric"] as! String,
                    count: (o["count"] as! NSNumber).intValue, values: values))
            }
        }
        return (rows, lines)
    }
}

/// The expected rollups of an in-order, duplicate-free capture, computed naively from the
/// capture text with Foundation's JSON parser: group, then two-pass statistics.
enum ReferenceRollups {
    struct Key: Hashable { var window: String; var startMs: Int64; var site, device, metric: String }

    /// The event time of a numeric `ts` counting `unit` (`s`, `ms`, `us`, `ns` or `auto`),
    /// worked out apart from telemetryd's code: in Foundation's `Decimal` from the number's
    /// text, rounded down to the millisecond; `auto` by |ts|: below 1e11 s, 1e14 ms, 1e17 µs,
    /// else ns.
    static func eventTimeMs(_ ts: NSNumber, unit: String) -> Int64 {
        let value = Decimal(string: ts.stringValue)!
        let magnitude = value < 0 ? -value : value
        let resolved = unit != "auto" ? unit
            : magnitude < Decimal(string: "1e11")! ? "s" : magnitude < Decimal(string: "1e14")! ? "ms"
            : magnitude < Decimal(string: "1e17")! ? "us" : "ns"
        let perMillisecond: Decimal = ["s": Decimal(string: "1e-3")!, "ms": 1, "us": 1_000, "ns": 1_000_000][resolved]!
        var ms = value / perMillisecond
        var floored = Decimal()
        NSDecimalRound(&floored, &ms, 0, .down)
        return NSDecimalNumber(decimal: floored).int64Value
    }

    /// `tsUnits` maps the last topic segment of JSON topics to their `ts_unit`
    /// (`["ts-s": "s"]`); `telemetry` is JSON with `auto`, as telemetryd's default template.
    static func compute(captureLines: [String], windows: [WindowSize], tsUnits: [String: String] = [:]) -> [Key: [(Int64, Double)]] {
        var groups: [Key: [(Int64, Double)]] = [:]
        for line in captureLines {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let arrivalMs = Int64((Double(parts[0])! * 1000).rounded())
            let topic = parts[1].split(separator: "/").map(String.init)
            var readings: [(String, Double)] = []
            var ts = arrivalMs
            if topic.count == 4, topic[3] == "telemetry" || tsUnits[topic[3]] != nil {
                guard let o = try? JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as? [String: Any] else { continue }
                func flatten(_ d: [String: Any], _ prefix: String) {
                    for (k, v) in d {
                        let name = prefix.isEmpty ? k : prefix + "." + k
                        if prefix.isEmpty, k == "ts" {
                            if let n = v as? NSNumber {
                                ts = eventTimeMs(n, unit: tsUnits[topic[3]] ?? "auto")
                            } else if let s = v as? String {
                                let f = ISO8601DateFormatter()
                                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                                ts = Int64((f.date(from: s)!.timeIntervalSince1970 * 1000).rounded())
                            }
                        } else if prefix.isEmpty, k == "seq" {
                        } else if let sub = v as? [String: Any] {
                            flatten(sub, name)
                        } else if let n = v as? NSNumber, String(cString: n.objCType) != "c" {
                            readings.append((name, n.doubleValue))
                        }
                    }
                }
                flatten(o, "")
            } else if topic.count == 4, let v = Double(parts[2]) {
                readings.append((topic[3], v))
            }
            for (metric, v) in readings {
                for w in windows {
                    let start = ts - ((ts % w.milliseconds) + w.milliseconds) % w.milliseconds
                    groups[Key(window: w.name, startMs: start, site: topic[1], device: topic[2], metric: metric), default: []]
                        .append((ts, v))
                }
            }
        }
        return groups
    }

    /// count, min, max, sum, mean, first, last, stddev of a group (first/last by time, ties by order).
    static func stats(_ values: [(Int64, Double)]) -> (count: Int, fields: [String: Double]) {
        let xs = values.map(\.1)
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        var first = values[0], last = values[0]
        for v in values {
            if v.0 < first.0 { first = v }
            if v.0 >= last.0 { last = v }
        }
        return (xs.count, [
            "min": xs.min()!, "max": xs.max()!, "sum": xs.reduce(0, +), "mean": mean,
            "first": first.1, "last": last.1, "stddev": variance.squareRoot(),
        ])
    }
}

func close(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
}

func replay(
    _ captures: [String], dataDir: String, force: Bool = false, payloadEncoding: CapturePayloadEncoding = .raw,
    configure: (inout DaemonConfiguration) -> Void = { _ in }
) async throws -> ReplayRun.Summary {
    var c = DaemonConfiguration()
    c.dataDirectory = DataDirectory(dataDir)
    configure(&c)
    return try await ReplayRun(configuration: c, logger: Logger(label: "test")).run(captures: captures, force: force, payloadEncoding: payloadEncoding)
}
