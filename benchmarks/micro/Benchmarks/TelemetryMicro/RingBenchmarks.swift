import Benchmark
import TelemetryCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ReadingRing` with 1, 2 and 4 producer threads and the benchmark thread as its one
/// consumer, as in the daemon: each producer pushes whole messages (5 readings, one
/// `tryPush` each, yielding while the ring is full), the consumer drains batches of 4,096
/// (`AggregatorLoop.drainBatch`) and reads every reading. One iteration moves 1,000,000
/// readings; a checksum proves each arrived once.
///
/// The figure is per reading moved end to end (readings/s in the throughput row). On a
/// 2-core machine, 2 and 4 producers share the cores with the consumer, so those rows
/// measure contention and scheduling as much as the ring.
func ringBenchmarks() {
    for producers in [1, 2, 4] {
        Benchmark(
            "ReadingRing push+drain, \(producers) producer\(producers == 1 ? "" : "s") (per reading)",
            configuration: .init(scalingFactor: .mega)
        ) { benchmark, fixture in
            fixture.runIteration(benchmark)
        } setup: {
            RingFixture(producers: producers)
        }
    }
}

/// The ring (the daemon's default 65,536 readings) and each producer's prebuilt messages.
/// Threading: the benchmark thread owns it; producers only read their own message buffer.
final class RingFixture: @unchecked Sendable {
    static let readingsPerIteration = 1_000_000
    static let messagesInBuffer = 1_000
    let ring = ReadingRing(minimumCapacity: 65_536)
    let producers: Int
    /// Per producer: `messagesInBuffer` messages of 5 readings, cycled through.
    let buffers: [UnsafeMutableBufferPointer<Reading>]
    let expectedSum: UInt64

    init(producers: Int) {
        self.producers = producers
        let per = Fleet.metricsPerMessage
        var buffers: [UnsafeMutableBufferPointer<Reading>] = []
        var sum: UInt64 = 0
        let messagesPerProducer = Self.readingsPerIteration / per / producers
        for p in 0..<producers {
            let b = UnsafeMutableBufferPointer<Reading>.allocate(capacity: Self.messagesInBuffer * per)
            for m in 0..<Self.messagesInBuffer {
                let device = DeviceID(p * Self.messagesInBuffer + m)
                for k in 0..<per {
                    b[m * per + k] = Reading(
                        series: device * SeriesID(per) + SeriesID(k), device: device,
                        eventTimeMs: Fleet.startMs, value: Double(k), seq: 1, isFirstInMessage: k == 0)
                }
            }
            for m in 0..<messagesPerProducer {
                for k in 0..<per { sum &+= UInt64(b[(m % Self.messagesInBuffer) * per + k].series) }
            }
            buffers.append(b)
        }
        self.buffers = buffers
        self.expectedSum = sum
    }

    deinit { for b in buffers { b.deallocate() } }

    func runIteration(_ benchmark: Benchmark) {
        let per = Fleet.metricsPerMessage
        let messagesPerProducer = Self.readingsPerIteration / per / producers
        let total = messagesPerProducer * per * producers
        let ring = self.ring
        let buffers = self.buffers
        let threads = ProducerThreads(count: producers) { p in
            let buffer = UnsafeBufferPointer(buffers[p])
            var m = 0
            for _ in 0..<messagesPerProducer {
                let batch = UnsafeBufferPointer(rebasing: buffer[m * per..<(m + 1) * per])
                while !ring.tryPush(batch) { sched_yield() }
                m += 1
                if m == Self.messagesInBuffer { m = 0 }
            }
        }
        var consumed = 0
        var sum: UInt64 = 0
        benchmark.measure(cpu: .process) {
            threads.go()
            while consumed < total {
                let n = ring.drain(maxCount: 4_096) { batch in
                    for r in batch { sum &+= UInt64(r.series) }
                }
                if n == 0 { sched_yield() }
                consumed += n
            }
        }
        threads.join()
        if consumed != total || sum != expectedSum || ring.count != 0 {
            benchmark.error("ring lost or repeated readings: \(consumed) of \(total), checksum \(sum) vs \(expectedSum)")
        }
    }
}
