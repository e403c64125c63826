import Foundation
import Logging
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage
import TelemetryTestSupport

/// Builds a capture (`<unix seconds>.<ms> <topic> <payload>` lines) from messages given with
/// their arrival time, in arrival order (messages arriving at the same millisecond keep the
/// order they were added in). The arrival time is the replay's ingest clock.
///
/// Threading: a value type, used by one test.
struct CaptureBuilder {
    private var messages: [(arrivalMs: Int64, order: Int, line: String)] = []
    /// A capture line's time: whole seconds, a point, three digits of milliseconds.
    static func time(_ ms: Int64) -> String {
        let fraction = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// A raw message: `payload` on `topic`, arriving at `arrivalMs`; returns its capture line.
    @discardableResult
    mutating func add(arrivalMs: Int64, topic: String, payload: String) -> String {
        let line = "\(Self.time(arrivalMs)) \(topic) \(payload)"
        messages.append((arrivalMs, messages.count, line))
        return line
    }

    /// A JSON message of `vn/<site>/<device>/telemetry` with `"ts"` in epoch ms.
    mutating func json(
        arrivalMs: Int64, site: String, device: String, tsMs: Int64, metrics: [(String, Double)], seq: Int? = nil
    ) {
        var fields = ["\"ts\":\(tsMs)"]
        if let seq { fields.append("\"seq\":\(seq)") }
        fields += metrics.map { "\"\($0.0)\":\(Self.number($0.1))" }
        add(arrivalMs: arrivalMs, topic: "vn/\(site)/\(device)/telemetry", payload: "{" + fields.joined(separator: ",") + "}")
    }

    /// A JSON message whose `"ts"` is RFC 3339 text.
    mutating func jsonISO(arrivalMs: Int64, site: String, device: String, tsMs: Int64, metrics: [(String, Double)]) {
        let fields = ["\"ts\":\"\(UTCTimestamp.format(milliseconds: tsMs))\""] + metrics.map { "\"\($0.0)\":\(Self.number($0.1))" }
        add(arrivalMs: arrivalMs, topic: "vn/\(site)/\(device)/telemetry", payload: "{" + fields.joined(separator: ",") + "}")
    }

    /// A `value` message (`vn/<site>/<device>/<metric>`): no timestamp, so its event time is its arrival.
    mutating func value(arrivalMs: Int64, site: String, device: String, metric: String, _ v: Double) {
        add(arrivalMs: arrivalMs, topic: "vn/\(site)/\(device)/\(metric)", payload: Self.number(v))
    }

    /// The capture's lines, by arrival time.
    var lines: [String] {
        messages.sorted { ($0.arrivalMs, $0.order) < ($1.arrivalMs, $1.order) }.map(\.line)
    }

    /// Writes the capture into `dir`; returns its path.
    func write(_ dir: TemporaryDirectory, name: String = "capture.txt") -> String {
        dir.write(name, Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    private static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) + ".0" : "\(v)"
    }
}

/// Pseudo-random values for captures: a 64-bit LCG, the same sequence for the same seed.
struct SeededValues {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A value in `range`, rounded to two decimals.
    mutating func next(_ range: ClosedRange<Double>) -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let unit = Double(state >> 11) / Double(1 << 53)
        return ((range.lowerBound + unit * (range.upperBound - range.lowerBound)) * 100).rounded() / 100
    }
}

/// `<data_dir>/status.json` read back with Foundation.
struct StatusFile {
    let object: [String: Any]

    init(dataDir: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: dataDir + "/status.json"))
        object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    private var counters: [String: Any] { object["counters"] as? [String: Any] ?? [:] }

    /// Readings no window of their series could take: `counters.too_late` (the counter was
    /// called `late` before event time per device; that name is read when the new one is absent).
    var tooLate: Int? { (counters["too_late"] ?? counters["late"]) as? Int }

    /// `late_by_window`: readings missed by one window size (taken by a larger one).
    var lateByWindow: [String: Int] { object["late_by_window"] as? [String: Int] ?? [:] }
}

/// The dead letters under `<data_dir>/deadletter/`, each line parsed, in file order.
func deadLetters(_ dataDir: String) throws -> [[String: Any]] {
    var letters: [[String: Any]] = []
    for file in FileSystem.files(below: dataDir + "/deadletter").sorted() where file.hasSuffix(".jsonl") {
        for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
            letters.append(try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])
        }
    }
    return letters
}

/// Every file below `dataDir/<part>` for each part, by path relative to `dataDir`, with its bytes.
func fileContents(_ dataDir: String, parts: [String]) throws -> [String: Data] {
    var contents: [String: Data] = [:]
    for part in parts {
        for file in FileSystem.files(below: dataDir + "/" + part) {
            contents[String(file.dropFirst(dataDir.count))] = try Data(contentsOf: URL(fileURLWithPath: file))
        }
    }
    return contents
}

/// Replays `capture` through a fresh replay pipeline with the given ring capacity and
/// capture read block size (the batch boundaries a replay sees), ending as `telemetryd replay`
/// does (every window closed); returns the final status.
func replay(
    _ capture: String, dataDir: String, ringCapacity: Int, blockSize: Int,
    configure: (inout DaemonConfiguration) -> Void = { _ in }
) async throws -> PipelineStatus {
    var c = DaemonConfiguration()
    c.dataDirectory = DataDirectory(dataDir)
    c.ringCapacity = ringCapacity
    configure(&c)
    let pipeline = try IngestPipeline(configuration: c, mode: .replay, logger: Logger(label: "test"))
    pipeline.start()
    // The producer blocks while the ring is full: read on a thread of its own, as `ReplayRun` does.
    let failure = await offload { () -> StorageError? in
        let replayer = CaptureReplayer(producer: pipeline.makeProducer(), blockSize: blockSize)
        do throws(StorageError) {
            try replayer.replay(path: capture)
            return nil
        } catch {
            return error
        }
    }
    if let failure {
        await pipeline.finish(.stop)
        throw failure
    }
    return await pipeline.finish(.endOfInput)
}
