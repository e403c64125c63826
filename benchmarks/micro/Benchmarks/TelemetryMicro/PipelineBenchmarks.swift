import Benchmark
import TelemetryCore

/// The whole hot path on one thread, per message: `MessageDecoder.decode`, `ReadingRing.tryPush`
/// of the message's readings, and — whenever 4,096 readings wait — `drain` into
/// `WindowAggregator.add` and collecting what closed (`takeClosed`, `takeTooLate`), as
/// `IngestProducer` and `AggregatorLoop` do. One iteration is one second of the dense fleet:
/// 1,000 JSON messages, 5,000 readings; the ring is empty at the end of each.
///
/// This is the "allocations per message (must be 0 on the hot path)": its malloc row
/// is the count per message, closes of steady state included. The payloads of each second
/// are rendered before the measured region (in the daemon they arrive from the broker).
func pipelineBenchmarks() {
    Benchmark(
        "decode+push+aggregate, JSON, dense fleet (per message)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark, fixture in
        fixture.runIteration(benchmark)
    } setup: {
        try PipelineFixture()
    }
}

/// Decoder, ring and aggregator wired as in the daemon, and the next second's messages.
/// Threading: the benchmark thread only.
final class PipelineFixture: @unchecked Sendable {
    static let drainBatch = 4_096
    let fleet = Fleet.standard
    let registry = SeriesRegistry()
    let decoder: MessageDecoder
    let ring = ReadingRing(minimumCapacity: 65_536)
    let aggregator: WindowAggregator
    let messages = MessageSet()
    private var nextSecond = 0
    private var backlog: [Rollup] = []
    private(set) var readings = 0

    init() throws(RejectReason) {
        decoder = MessageDecoder(templates: Fleet.templates(), registry: registry)
        aggregator = WindowAggregator(
            windows: ["10s", "1m", "1h"].map { WindowSize(parsing: $0)! }, allowedLatenessMs: 5_000,
            registry: registry)
        backlog.reserveCapacity(16_384)
        for _ in 0..<70 {
            render()
            try second()
            backlog.removeAll(keepingCapacity: true)
        }
    }

    /// Renders the next second's 1,000 messages.
    private func render() {
        messages.removeAll()
        for d in 0..<fleet.deviceCount {
            messages.append(topic: fleet.jsonTopic(device: d), payload: fleet.jsonPayload(device: d, second: nextSecond))
        }
        nextSecond += 1
    }

    private func drain(maxCount: Int) {
        let aggregator = self.aggregator
        ring.drain(maxCount: maxCount) { aggregator.add($0) }
        if aggregator.hasClosed { backlog.append(contentsOf: aggregator.takeClosed()) }
        for r in aggregator.takeTooLate() { blackHole(r) }
    }

    /// Decodes, pushes and aggregates the rendered second.
    private func second() throws(RejectReason) {
        let arrival = Fleet.startMs + Int64(nextSecond - 1) * 1_000
        let decoder = self.decoder, ring = self.ring
        try messages.forEach { (_, topic, payload) throws(RejectReason) in
            try decoder.decode(topic: topic, payload: payload, arrivalMs: arrival)
            readings += decoder.batch.count
            while !ring.tryPush(decoder.batch) { drain(maxCount: Self.drainBatch) }
            if ring.count >= Self.drainBatch { drain(maxCount: Self.drainBatch) }
        }
        while ring.count > 0 { drain(maxCount: Self.drainBatch) }
    }

    func runIteration(_ benchmark: Benchmark) {
        render()
        backlog.removeAll(keepingCapacity: true)
        let failure: RejectReason? = benchmark.measure {
            do throws(RejectReason) {
                try second()
                return nil
            } catch {
                return error
            }
        }
        if let failure { benchmark.error("a benchmark message was rejected: \(failure)") }
        if aggregator.readingsAccepted != readings {
            benchmark.error("\(readings) readings decoded but \(aggregator.readingsAccepted) aggregated")
        }
    }
}
