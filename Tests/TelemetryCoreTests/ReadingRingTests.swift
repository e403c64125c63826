import Foundation
import Testing
@testable import TelemetryCore

#if canImport(Glibc)
import Glibc
#endif

/// A reading that encodes (producer, counter) so the consumer can check order and identity.
/// The first reading of a batch passes the batch's length (1…255), the others 0: it becomes
/// `isFirstInMessage`, and the length rides in the low byte of `seq` (`counter << 8 | length`)
/// so the consumer can check that the batch arrives whole.
func tagged(producer: Int, counter: Int, batchLength: Int = 1) -> Reading {
    precondition((0...255).contains(batchLength))
    return Reading(series: SeriesID(producer), device: DeviceID(producer), eventTimeMs: Int64(counter),
                   value: Double(counter), seq: Int64(counter) << 8 | Int64(batchLength),
                   isFirstInMessage: batchLength > 0)
}

/// The batch length `tagged` put into a reading (0 for all but a batch's first reading).
func taggedBatchLength(_ r: Reading) -> Int { Int(r.seq & 0xFF) }

extension ReadingRing {
    /// Drains everything ready, concatenated; also the sizes of the buffers handed out.
    func drainAll(maxCount: Int = .max) -> (items: [Reading], runs: [Int]) {
        var items: [Reading] = []
        var runs: [Int] = []
        drain(maxCount: maxCount) { buf in
            items.append(contentsOf: buf)
            runs.append(buf.count)
        }
        return (items, runs)
    }

    func push(_ batch: [Reading]) -> Bool { batch.withUnsafeBufferPointer { tryPush($0) } }
}

@Suite struct ReadingRingTests {
    @Test func capacityIsRoundedUpToAPowerOfTwo() {
        #expect(ReadingRing(minimumCapacity: 5).capacity == 8)
        #expect(ReadingRing(minimumCapacity: 8).capacity == 8)
        #expect(ReadingRing(minimumCapacity: 1_000).capacity == 1_024)
        #expect(ReadingRing(minimumCapacity: 0).capacity == 2)
    }

    @Test func singleProducerReadingsComeOutInFIFOOrder() {
        let ring = ReadingRing(minimumCapacity: 16)
        let pushed = (0..<10).map { tagged(producer: 0, counter: $0) }
        for r in pushed { #expect(ring.tryPush(r)) }
        #expect(ring.count == 10)
        #expect(ring.drainAll().items == pushed)
        #expect(ring.count == 0)
    }

    @Test func drainOfAnEmptyRingConsumesNothing() {
        let ring = ReadingRing(minimumCapacity: 4)
        var called = false
        #expect(ring.drain(maxCount: 10) { _ in called = true } == 0)
        #expect(!called)
    }

    @Test func batchIsContiguousAndInOrder() {
        let ring = ReadingRing(minimumCapacity: 16)
        let a = (0..<3).map { tagged(producer: 1, counter: $0, batchLength: $0 == 0 ? 3 : 0) }
        let b = (0..<5).map { tagged(producer: 2, counter: $0, batchLength: $0 == 0 ? 5 : 0) }
        #expect(ring.push(a))
        #expect(ring.tryPush(tagged(producer: 3, counter: 0)))
        #expect(ring.push(b))
        #expect(ring.drainAll().items == a + [tagged(producer: 3, counter: 0)] + b)
    }

    @Test func emptyBatchPushSucceedsAndAddsNothing() {
        let ring = ReadingRing(minimumCapacity: 4)
        #expect(ring.push([]))
        #expect(ring.count == 0)
    }

    @Test func drainHandsAtMostMaxCount() {
        let ring = ReadingRing(minimumCapacity: 16)
        let pushed = (0..<10).map { tagged(producer: 0, counter: $0) }
        #expect(ring.push(pushed))
        #expect(ring.drainAll(maxCount: 4).items == Array(pushed[0..<4]))
        #expect(ring.drainAll(maxCount: 4).items == Array(pushed[4..<8]))
        #expect(ring.drainAll(maxCount: 4).items == Array(pushed[8..<10]))
    }

    @Test func tryPushFailsWhenFullAndPushesNothingPartial() {
        let ring = ReadingRing(minimumCapacity: 8)
        let first = (0..<6).map { tagged(producer: 0, counter: $0) }
        #expect(ring.push(first))
        let tooBig = (6..<9).map { tagged(producer: 0, counter: $0) }
        #expect(!ring.push(tooBig))
        #expect(ring.count == 6)
        // Exactly the remaining room fits.
        let fits = (100..<102).map { tagged(producer: 1, counter: $0) }
        #expect(ring.push(fits))
        #expect(!ring.tryPush(tagged(producer: 2, counter: 0)))
        #expect(ring.drainAll().items == first + fits)
        // Once drained, the refused batch fits.
        #expect(ring.push(tooBig))
        #expect(ring.drainAll().items == tooBig)
    }

    @Test func batchLargerThanTheRingNeverFits() {
        let ring = ReadingRing(minimumCapacity: 8)
        #expect(!ring.push((0..<9).map { tagged(producer: 0, counter: $0) }))
        #expect(ring.count == 0)
        #expect(ring.push((0..<8).map { tagged(producer: 0, counter: $0) }))
    }

    @Test func pushesWrapAroundTheEndOfTheStorage() {
        let ring = ReadingRing(minimumCapacity: 8)
        for lap in 0..<20 {
            let batch = (0..<7).map { tagged(producer: lap, counter: $0) }
            #expect(ring.push(batch), "lap \(lap)")
            #expect(ring.drainAll().items == batch, "lap \(lap)")
        }
    }

    @Test func drainAcrossTheWrapBoundaryHandsTwoRunsInOrder() {
        let ring = ReadingRing(minimumCapacity: 8)
        #expect(ring.push((0..<6).map { tagged(producer: 0, counter: $0) }))
        #expect(ring.drainAll().items.count == 6)
        // Positions 6…11: slots 6, 7, then 0…3.
        let batch = (0..<6).map { tagged(producer: 1, counter: $0, batchLength: $0 == 0 ? 6 : 0) }
        #expect(ring.push(batch))
        let (items, runs) = ring.drainAll()
        #expect(items == batch)
        #expect(runs == [2, 4])
    }

    @Test func randomPushesAndDrainsMatchAQueueModel() {
        var rng = SplitMix64(seed: 9)
        let ring = ReadingRing(minimumCapacity: 32)
        var model: [Reading] = []
        var next = 0
        for _ in 0..<5_000 {
            if rng.chance(0.55) {
                let n = rng.int(1...12)
                let batch = (0..<n).map { k in tagged(producer: 0, counter: next + k) }
                let fits = model.count + n <= ring.capacity
                #expect(ring.push(batch) == fits)
                if fits { model += batch; next += n }
            } else {
                let m = rng.int(1...40)
                let got = ring.drainAll(maxCount: m).items
                let want = Array(model.prefix(m))
                #expect(got == want)
                model.removeFirst(want.count)
            }
            #expect(ring.count == model.count)
        }
    }
}

// MARK: - concurrency

/// A countdown the main thread waits on; pthread-based so ThreadSanitizer sees the ordering.
final class Countdown: @unchecked Sendable {
    private let condition = NSCondition()
    private var remaining: Int

    init(_ n: Int) { remaining = n }

    func done() {
        condition.lock()
        remaining -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every party is done; false on timeout.
    func wait(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while remaining > 0 {
            if !condition.wait(until: deadline) { return remaining == 0 }
        }
        return true
    }
}

/// What the consumer found, handed to the test thread under a lock.
final class ConsumerReport: @unchecked Sendable {
    private let lock = NSLock()
    private var _consumed = 0
    private var _nextCounter: [Int] = []
    private var _problems: [String] = []
    private var _problemCount = 0

    func set(consumed: Int, nextCounter: [Int], problems: [String], problemCount: Int) {
        lock.lock(); defer { lock.unlock() }
        _consumed = consumed; _nextCounter = nextCounter; _problems = problems; _problemCount = problemCount
    }

    var snapshot: (consumed: Int, nextCounter: [Int], problems: [String], problemCount: Int) {
        lock.lock(); defer { lock.unlock() }
        return (_consumed, _nextCounter, _problems, _problemCount)
    }
}

/// Tells every thread of the stress test to give up (after a problem, or at the deadline).
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let deadline: Date

    init(seconds: Double) { deadline = Date(timeIntervalSinceNow: seconds) }

    func stop() { lock.lock(); stopped = true; lock.unlock() }

    /// Whether to give up; checked only while waiting, so it costs nothing on the fast path.
    var shouldStop: Bool {
        lock.lock(); defer { lock.unlock() }
        if !stopped, Date() > deadline { stopped = true }
        return stopped
    }
}

func yieldThread() {
    #if canImport(Glibc)
    sched_yield()
    #else
    Thread.sleep(forTimeInterval: 0)
    #endif
}

@Suite struct ReadingRingConcurrencyTests {
    static let producers = 4
    static let perProducer = 200_000

    /// Four producers push batches of 1–7 readings into a small ring (so it is often full and
    /// they spin) while one consumer drains in random-sized chunks. Every reading carries
    /// (producer, counter); each batch's first reading is `isFirstInMessage` and carries the
    /// batch length (see `tagged`).
    @Test func concurrentProducersEveryItemConsumedOnceInOrderAndBatchesContiguous() {
        let ring = ReadingRing(minimumCapacity: 64)
        let total = Self.producers * Self.perProducer
        let finished = Countdown(Self.producers + 1)
        let report = ConsumerReport()
        let stop = StopFlag(seconds: 60)

        for p in 0..<Self.producers {
            let t = Thread {
                var rng = SplitMix64(seed: UInt64(p) &+ 1_000)
                var counter = 0
                var batch: [Reading] = []
                batch.reserveCapacity(7)
                while counter < Self.perProducer {
                    let n = min(rng.int(1...7), Self.perProducer - counter)
                    batch.removeAll(keepingCapacity: true)
                    for k in 0..<n { batch.append(tagged(producer: p, counter: counter + k, batchLength: k == 0 ? n : 0)) }
                    var spins = 0
                    while !ring.push(batch) {
                        yieldThread()
                        spins += 1
                        if spins & 0xFF == 0, stop.shouldStop { finished.done(); return }
                    }
                    counter += n
                }
                finished.done()
            }
            t.start()
        }

        let consumer = Thread {
            var rng = SplitMix64(seed: 4_242)
            var nextCounter = Array(repeating: 0, count: Self.producers)
            var consumed = 0
            var batchProducer = -1      // producer of the batch in progress
            var batchRemaining = 0      // readings of it still to come
            var problems: [String] = []
            var problemCount = 0
            func problem(_ s: String) {
                problemCount += 1
                if problems.count < 10 { problems.append(s) }
                stop.stop()
            }
            var idle = 0
            while consumed < total, problemCount == 0 {
                let n = ring.drain(maxCount: rng.int(1...100)) { buf in
                    for r in buf {
                        let p = Int(r.device)
                        guard p >= 0, p < Self.producers, Int(r.series) == p else {
                            problem("unknown producer \(r.device)"); continue
                        }
                        let c = Int(r.eventTimeMs)
                        if r.isFirstInMessage {
                            if batchRemaining != 0 {
                                problem("batch of producer \(batchProducer) interrupted by producer \(p) counter \(c)")
                            }
                            batchProducer = p
                            batchRemaining = taggedBatchLength(r)
                        } else if batchRemaining == 0 || p != batchProducer {
                            problem("reading of producer \(p) counter \(c) outside its batch")
                        }
                        batchRemaining -= 1
                        if c != nextCounter[p] { problem("producer \(p): got \(c), expected \(nextCounter[p])") }
                        if r.value != Double(c) || r.seq >> 8 != Int64(c)
                            || r.isFirstInMessage != (taggedBatchLength(r) > 0) {
                            problem("producer \(p) counter \(c): fields torn")
                        }
                        nextCounter[p] = c + 1
                    }
                }
                consumed += n
                if n == 0 {
                    idle += 1
                    yieldThread()
                    if idle & 0xFF == 0, stop.shouldStop { problem("timed out"); break }
                }
            }
            // Nothing beyond what was pushed.
            if problemCount == 0, ring.drain(maxCount: .max, { _ in }) != 0 { problem("extra items after the last one") }
            report.set(consumed: consumed, nextCounter: nextCounter, problems: problems, problemCount: problemCount)
            finished.done()
        }
        consumer.start()

        #expect(finished.wait(seconds: 90), "threads did not finish")
        let r = report.snapshot
        #expect(r.problemCount == 0, "\(r.problemCount) problems, e.g. \(r.problems)")
        #expect(r.consumed == total)
        #expect(r.nextCounter == Array(repeating: Self.perProducer, count: Self.producers))
        #expect(r.problemCount > 0 || ring.count == 0)
    }
}
