import Testing
@testable import TelemetryCore

@Suite struct QuietCheckQueueTests {
    @Test func entriesComeOutInTimeThenDeviceOrderOnlyWhenDue() {
        var q = QuietCheckQueue()
        var rng = SplitMix64(seed: 4)
        var expected: [(Int64, DeviceID)] = []
        for d in 0..<500 {
            let at = rng.int64(0...50)
            q.schedule(DeviceID(d), at: at)
            expected.append((at, DeviceID(d)))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        #expect(q.popDue(at: -1) == nil)
        var got: [DeviceID] = []
        while let d = q.popDue(at: 50) { got.append(d) }
        #expect(got == expected.map(\.1))
        #expect(q.isEmpty && q.nextDue == .max)
    }

    @Test func aDeviceIsQueuedOnceUntilItComesOut() {
        var q = QuietCheckQueue()
        q.schedule(7, at: 10)
        q.schedule(7, at: 5)
        #expect(q.contains(7))
        #expect(q.nextDue == 10)
        #expect(q.popDue(at: 10) == 7)
        #expect(!q.contains(7))
        #expect(q.popDue(at: 10) == nil)
        q.schedule(7, at: 3)
        #expect(q.nextDue == 3)
    }
}
