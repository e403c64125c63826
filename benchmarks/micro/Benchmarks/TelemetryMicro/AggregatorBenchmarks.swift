import Benchmark
import TelemetryCore

/// `WindowAggregator.add` per reading, dense: 1,000 devices × 5 metrics, each device one
/// message a second, windows 10s, 1m and 1h with 5s lateness (the daemon's defaults), in
/// steady state. One iteration adds 1,000 readings (200 devices' messages, so a second of
/// event time every 5 iterations) as one batch, as a drain hands them over, then collects
/// what closed as `AggregatorLoop` does (`takeClosed`, `takeTooLate`). Time keeps going
/// across iterations, so the closes of steady state happen inside the measured region: every
/// series' 10s window every 10 s, its 1m window every minute, its 1h window every hour of
/// event time. Per-iteration means therefore include them; the median does not.
///
/// The setup has run the fleet for 70 s of event time (every table grown, both short window
/// sizes closed at least once).
func aggregatorBenchmarks() {
    Benchmark(
        "WindowAggregator.add dense 1000 devices × 5 metrics, 3 windows (per reading)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark, fixture in
        fixture.runIteration(benchmark)
    } setup: {
        AggregatorFixture()
    }
}

/// The fleet's readings one second at a time, in the order a drain would hand them over.
/// Threading: the benchmark thread only.
final class AggregatorFixture: @unchecked Sendable {
    static let readingsPerIteration = 1_000
    let fleet = Fleet.standard
    let registry = SeriesRegistry()
    let aggregator: WindowAggregator
    /// One second of the whole fleet: 1,000 messages of 5 readings.
    let second: UnsafeMutableBufferPointer<Reading>
    let ids: [(series: SeriesID, device: DeviceID)]
    /// The next second to fill `second` with, and how far into it the next iteration starts.
    private var nextSecond = 0
    private var offset: Int
    /// Where the daemon keeps closed rollups until it writes them.
    private var backlog: [Rollup] = []
    private(set) var rollups = 0
    private(set) var tooLate = 0

    init() {
        ids = fleet.register(in: registry)
        aggregator = WindowAggregator(
            windows: ["10s", "1m", "1h"].map { WindowSize(parsing: $0)! }, allowedLatenessMs: 5_000,
            registry: registry)
        second = .allocate(capacity: fleet.deviceCount * Fleet.metricsPerMessage)
        offset = second.count
        backlog.reserveCapacity(16_384)
        for _ in 0..<(70 * 5) {
            if offset == second.count { fill() }
            step()
        }
        rollups = backlog.count
        backlog.removeAll(keepingCapacity: true)
    }

    deinit { second.deallocate() }

    /// Writes second `nextSecond` of the fleet into `second`.
    private func fill() {
        let t = nextSecond
        let ms = Fleet.startMs + Int64(t) * 1_000
        let per = Fleet.metricsPerMessage
        for d in 0..<fleet.deviceCount {
            let v = fleet.values(device: d, second: t)
            for k in 0..<per {
                let id = ids[d * per + k]
                second[d * per + k] = Reading(
                    series: id.series, device: id.device, eventTimeMs: ms, value: v[k], seq: Int64(t + 1),
                    isFirstInMessage: k == 0, arrivalMs: ms)
            }
        }
        nextSecond += 1
        offset = 0
    }

    /// One iteration's work: add the next 1,000 readings, collect what closed.
    @inline(__always)
    private func step() {
        let batch = UnsafeBufferPointer(rebasing: second[offset..<(offset + Self.readingsPerIteration)])
        aggregator.add(batch)
        if aggregator.hasClosed { backlog.append(contentsOf: aggregator.takeClosed()) }
        for r in aggregator.takeTooLate() { blackHole(r) }
        offset += Self.readingsPerIteration
    }

    func runIteration(_ benchmark: Benchmark) {
        // Preparing the next second (and handing the backlog to the "writer") is not measured.
        if offset == second.count { fill() }
        rollups += backlog.count
        backlog.removeAll(keepingCapacity: true)
        benchmark.measure { step() }
        if aggregator.tooLateCount != 0 || aggregator.duplicateReadings != 0 {
            benchmark.error("readings were dropped: \(aggregator.tooLateCount) too late, \(aggregator.duplicateReadings) duplicates")
        }
    }
}
