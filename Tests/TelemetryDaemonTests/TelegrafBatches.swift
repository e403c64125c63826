import Foundation
import TelemetryCore
import TelemetryDaemon

/// Telegraf-style MQTT messages for tests: each message is a batch of Influx lines (cpu and
/// mem of one host, Telegraf's `host` and a `location` tag, extra tags such as `cpu=`), with
/// a trailing newline as Telegraf sends it, and the totals a replay of them must give.
struct TelegrafBatches {
    /// The template that maps them: `telegraf/+ influx site_tag=location device_tag=host`.
    static let template = try! TopicTemplate(spec: "telegraf/+ influx site_tag=location device_tag=host")

    struct Message { var topic: String; var payload: String }
    /// Totals of one series over every message.
    struct Totals: Equatable { var count = 0; var sum = 0.0; var min = Double.infinity; var max = -Double.infinity }
    struct Series: Hashable { var site, device, metric: String }

    var messages: [Message] = []
    var totals: [Series: Totals] = [:]

    /// `rounds` rounds of one message per host, one second apart from `startMs`.
    init(rounds: Int, startMs: Int64) {
        let hosts = [("web1", "hanoi"), ("web2", "hanoi"), ("db1", "hcmc")]
        var k = 0
        for round in 0..<rounds {
            for (h, (host, location)) in hosts.enumerated() {
                let ns = (startMs + Int64(k) * 1_000) * 1_000_000
                k += 1
                let idle = 90 + Double((round * 7 + h * 3) % 10) + 0.25
                let user = Double((round + h) % 5) + 0.5
                let used = 40 + Double((round * 3 + h) % 20) + 0.125
                let lines = [
                    "cpu,cpu=cpu-total,host=\(host),location=\(location) usage_idle=\(idle),usage_user=\(user) \(ns)",
                    "mem,host=\(host),location=\(location) used_percent=\(used),total=8589934592i,active=true \(ns)",
                ]
                messages.append(Message(topic: "telegraf/\(host)", payload: lines.joined(separator: "\n") + "\n"))
                for (metric, v) in [("cpu.usage_idle", idle), ("cpu.usage_user", user), ("mem.used_percent", used),
                                    ("mem.total", 8_589_934_592.0)] {
                    var t = totals[Series(site: location, device: host, metric: metric), default: Totals()]
                    t.count += 1
                    t.sum += v
                    t.min = Swift.min(t.min, v)
                    t.max = Swift.max(t.max, v)
                    totals[Series(site: location, device: host, metric: metric)] = t
                }
            }
        }
    }

    var readings: Int { totals.values.reduce(0) { $0 + $1.count } }

    /// The same totals computed from rollup rows (of one window) read back from files.
    static func totals(of rows: [FileRollup], window: String) -> [Series: Totals] {
        var out: [Series: Totals] = [:]
        for row in rows where row.window == window {
            var t = out[Series(site: row.site, device: row.device, metric: row.metric), default: Totals()]
            t.count += row.count
            t.sum += row.values["sum"]!
            t.min = Swift.min(t.min, row.values["min"]!)
            t.max = Swift.max(t.max, row.values["max"]!)
            out[Series(site: row.site, device: row.device, metric: row.metric)] = t
        }
        return out
    }

    /// Whether two totals agree (sums to rounding).
    static func agree(_ a: [Series: Totals], _ b: [Series: Totals]) -> Bool {
        guard Set(a.keys) == Set(b.keys) else { return false }
        return a.allSatisfy { key, x in
            let y = b[key]!
            return x.count == y.count && x.min == y.min && x.max == y.max && close(x.sum, y.sum)
        }
    }

    /// A capture of the messages, arriving 50 ms after their event times, payloads in `encoding`.
    func capture(startMs: Int64, encoding: CapturePayloadEncoding) -> [UInt8] {
        var out: [UInt8] = []
        for (k, m) in messages.enumerated() {
            let arrival = startMs + Int64(k) * 1_000 + 50
            out += Array("\(arrival / 1_000).\(String(format: "%03d", arrival % 1_000)) \(m.topic) ".utf8)
            switch encoding {
            case .raw: out += Array(m.payload.utf8)
            case .hex: out += Array(m.payload.utf8.map { String(format: "%02x", $0) }.joined().utf8)
            }
            out.append(0x0A)
        }
        return out
    }
}
