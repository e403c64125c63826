import TelemetryCore

/// The simulated fleet every benchmark uses: 1,000 air-quality/power devices at 20 sites,
/// each sending the realistic JSON telemetry of issue 12 once a second:
/// `{"ts":…,"seq":…,"pm25":…,"temperature":…,"humidity":…,"power":{"voltage":…,"current":…}}`
/// — five metrics, so 5,000 series.
///
/// Values are deterministic (a function of device and second), with the one-decimal and
/// two-decimal precision real sensors send.
/// Threading: immutable; shared freely.
struct Fleet: Sendable {
    static let standard = Fleet(sites: 20, devicesPerSite: 50)

    /// The metric names of one message, in payload order (as the decoder names them).
    static let metrics = ["pm25", "temperature", "humidity", "power.voltage", "power.current"]
    static var metricsPerMessage: Int { metrics.count }

    /// A whole-hour epoch time in 2025, so every window of every size starts aligned.
    static let startMs: Int64 = 1_760_000_400_000

    let sites: [String]
    /// (site, device) of each device, device index order.
    let devices: [(site: String, device: String)]

    init(sites siteCount: Int, devicesPerSite: Int) {
        let cities = ["hanoi", "hcm", "danang", "haiphong", "cantho", "hue", "nhatrang", "vinh", "quynhon", "dalat"]
        sites = (0..<siteCount).map { "\(cities[$0 % cities.count])-\($0 / cities.count + 1)" }
        var all: [(String, String)] = []
        for site in sites {
            for _ in 0..<devicesPerSite {
                let n = all.count
                all.append((site, "aq-\(String(repeating: "0", count: 4 - String(n).count))\(n)"))
            }
        }
        devices = all
    }

    var deviceCount: Int { devices.count }

    /// The five values of device `d` at second `t` (pm25, temperature, humidity, voltage, current).
    func values(device d: Int, second t: Int) -> [Double] {
        let phase = Double((d * 7919 + t * 31) % 1000) / 1000
        func r(_ x: Double, _ places: Double) -> Double { (x * places).rounded() / places }
        return [
            r(18 + 30 * phase, 10),
            r(27.5 + 4 * phase, 10),
            r(62 + 20 * phase, 10),
            r(226 + 8 * phase, 10),
            r(0.2 + 1.5 * phase, 100),
        ]
    }

    /// The JSON telemetry topic of device `d`.
    func jsonTopic(device d: Int) -> String { "vn/\(devices[d].site)/\(devices[d].device)/telemetry" }

    /// The JSON telemetry payload of device `d` at second `t` (`seq` counts seconds).
    func jsonPayload(device d: Int, second t: Int) -> String {
        let v = values(device: d, second: t)
        let ts = Self.startMs + Int64(t) * 1_000
        return #"{"ts":\#(ts),"seq":\#(t + 1),"pm25":\#(v[0]),"temperature":\#(v[1]),"humidity":\#(v[2]),"#
            + #""power":{"voltage":\#(v[3]),"current":\#(v[4])}}"#
    }

    /// A `value` message of device `d`: one metric (`temperature`) as plain text.
    func valueMessage(device d: Int, second t: Int) -> (topic: String, payload: String) {
        ("vn/\(devices[d].site)/\(devices[d].device)/temperature", "\(values(device: d, second: t)[1])")
    }

    /// An Influx line of device `d`, its site in the topic and its device in a tag, with a
    /// millisecond timestamp (template `vn/{site}/influx influx precision=ms`).
    func influxMessage(device d: Int, second t: Int) -> (topic: String, payload: String) {
        let v = values(device: d, second: t)
        let ts = Self.startMs + Int64(t) * 1_000
        return ("vn/\(devices[d].site)/influx",
                "env,device=\(devices[d].device) pm25=\(v[0]),temperature=\(v[1]),humidity=\(v[2]),"
                    + "voltage=\(v[3]),current=\(v[4]) \(ts)")
    }

    /// The templates of the daemon's defaults plus one for Influx lines.
    static func templates() -> [TopicTemplate] {
        TopicTemplate.defaults + [try! TopicTemplate(spec: "vn/{site}/influx influx precision=ms")]
    }

    /// Registers every series of the fleet (device order, then metric order) and returns
    /// their ids: `ids[d * 5 + m]`.
    func register(in registry: SeriesRegistry) -> [(series: SeriesID, device: DeviceID)] {
        var ids: [(SeriesID, DeviceID)] = []
        for (site, device) in devices {
            for m in Self.metrics { ids.append(registry.register(SeriesKey(site: site, device: device, metric: m))!) }
        }
        return ids
    }
}

/// Many messages' topic and payload bytes back to back in one buffer, so a benchmark walks
/// them without allocating.
///
/// Threading: owned by one benchmark thread.
final class MessageSet {
    private(set) var bytes: [UInt8] = []
    private(set) var spans: [(topic: Range<Int>, payload: Range<Int>)] = []

    var count: Int { spans.count }

    func append(topic: String, payload: String) {
        let t = bytes.count
        bytes.append(contentsOf: topic.utf8)
        let p = bytes.count
        bytes.append(contentsOf: payload.utf8)
        spans.append((t..<p, p..<bytes.count))
    }

    /// Empties the set, keeping its storage (refilling it then allocates nothing new once
    /// it has held as much).
    func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with each message's topic and payload, in order; stops at the first error.
    func forEach<E: Error>(
        _ body: (Int, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        let spans = self.spans
        let result: Result<Void, E> = bytes.withUnsafeBytes { all in
            for (i, s) in spans.enumerated() {
                do throws(E) {
                    try body(i, UnsafeRawBufferPointer(rebasing: all[s.topic]), UnsafeRawBufferPointer(rebasing: all[s.payload]))
                } catch { return .failure(error) }
            }
            return .success(())
        }
        try result.get()
    }
}
