import Benchmark
import TelemetryCore

/// `MessageDecoder.decode` per message, warmed up: every message of the fleet was decoded
/// once in the setup, so every series is already registered and in the decoder's cache (the
/// steady state of a running daemon). One iteration decodes one message from each of the
/// 1,000 devices, in device order, so the series cache is walked as a live fleet walks it.
///
/// - JSON: the telemetry payload, 5 metrics (two nested), `ts` and `seq`.
/// - value: one number as text; the metric from the topic.
/// - Influx: one line, 5 fields, site from the topic, device from a tag, ms timestamp.
func decoderBenchmarks() {
    let fleet = Fleet.standard
    let kinds: [(String, (Int) -> (topic: String, payload: String))] = [
        ("JSON telemetry, 5 metrics", { d in (fleet.jsonTopic(device: d), fleet.jsonPayload(device: d, second: 0)) }),
        ("value payload, 1 metric", { d in fleet.valueMessage(device: d, second: 0) }),
        ("Influx line, 5 fields", { d in fleet.influxMessage(device: d, second: 0) }),
    ]
    for (name, message) in kinds {
        Benchmark(
            "MessageDecoder.decode \(name) (per message)",
            configuration: .init(scalingFactor: .kilo)
        ) { benchmark, fixture in
            fixture.runIteration(benchmark)
        } setup: {
            try DecoderFixture(fleet: fleet, message: message)
        }
    }
}

/// A warmed-up decoder and one message per device.
/// Threading: the benchmark thread only.
final class DecoderFixture: @unchecked Sendable {
    let registry = SeriesRegistry()
    let decoder: MessageDecoder
    let messages = MessageSet()
    let arrivalMs = Fleet.startMs

    init(fleet: Fleet, message: (Int) -> (topic: String, payload: String)) throws(RejectReason) {
        decoder = MessageDecoder(templates: Fleet.templates(), registry: registry)
        for d in 0..<fleet.deviceCount {
            let m = message(d)
            messages.append(topic: m.topic, payload: m.payload)
        }
        try decodeAll()  // registers every series
        precondition(messages.count == 1_000)
    }

    private var readings = 0

    /// Decodes every message once; counts the readings.
    func decodeAll() throws(RejectReason) {
        let decoder = self.decoder, arrival = arrivalMs
        var n = 0
        try messages.forEach { (_, topic, payload) throws(RejectReason) in
            try decoder.decode(topic: topic, payload: payload, arrivalMs: arrival)
            n += decoder.batch.count
        }
        readings = n
    }

    func runIteration(_ benchmark: Benchmark) {
        let failure: RejectReason? = benchmark.measure {
            do throws(RejectReason) {
                try decodeAll()
                return nil
            } catch {
                return error
            }
        }
        if let failure { benchmark.error("a benchmark message was rejected: \(failure)") }
        blackHole(readings)
    }
}
