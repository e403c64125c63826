import Benchmark
import TelemetryCore

/// `RollupLineEncoder.append` per rollup, in both file formats: 1,000 closed 10s windows of
/// the fleet (each of 10 readings, values as the sensors send them), appended one after
/// another into one reused output buffer by one long-lived encoder, as the rollup sink does.
func encoderBenchmarks() {
    for format in RollupFileFormat.allCases {
        Benchmark(
            "RollupLineEncoder.append \(format.rawValue) (per rollup)",
            configuration: .init(scalingFactor: .kilo)
        ) { benchmark, fixture in
            fixture.runIteration(benchmark)
        } setup: {
            EncoderFixture(format: format)
        }
    }
}

/// Rollups to encode and the buffer they go into.
/// Threading: the benchmark thread only.
final class EncoderFixture: @unchecked Sendable {
    let format: RollupFileFormat
    let rollups: [Rollup]
    var out: [UInt8] = []
    var encoder: RollupLineEncoder

    init(format: RollupFileFormat) {
        self.format = format
        self.encoder = RollupLineEncoder(format: format)
        let fleet = Fleet.standard
        let window = WindowSize(parsing: "10s")!
        var rollups: [Rollup] = []
        for i in 0..<1_000 {
            let d = i / Fleet.metricsPerMessage, m = i % Fleet.metricsPerMessage
            var stats = RollupAccumulator()
            for t in 0..<10 { stats.add(fleet.values(device: d, second: t)[m], at: Fleet.startMs + Int64(t) * 1_000) }
            let key = SeriesKey(site: fleet.devices[d].site, device: fleet.devices[d].device, metric: Fleet.metrics[m])
            rollups.append(Rollup(window: window, startMs: Fleet.startMs, key: key, stats: stats))
        }
        self.rollups = rollups
        out.reserveCapacity(1 << 20)
    }

    func runIteration(_ benchmark: Benchmark) {
        out.removeAll(keepingCapacity: true)
        benchmark.measure {
            for r in rollups { encoder.append(r, to: &out) }
        }
        blackHole(out.count)
    }
}
