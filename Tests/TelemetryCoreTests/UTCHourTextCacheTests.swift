import Testing
@testable import TelemetryCore

@Suite struct UTCHourTextCacheTests {
    static func reference(_ ms: Int64) -> [UInt8] {
        var out: [UInt8] = []
        UTCTimestamp.append(milliseconds: ms, to: &out)
        return out
    }

    @Test func textEqualsUTCTimestampsWithinAndAcrossHours() {
        var cache = UTCHourTextCache()
        let hour: Int64 = 3_600_000
        let base: Int64 = 1_795_478_400_000  // 2026-11-24T00:00:00Z
        var times: [Int64] = []
        for h: Int64 in [0, 1, 23, 24, 24 * 366] {
            for offset: Int64 in [0, 1, 999, 1_000, 59_999, 60_000, 1_234_567, hour - 1] {
                times.append(base + h * hour + offset)
            }
        }
        times += [base - 1, base, base + hour - 1, base + hour, base - 1]  // back and forth
        for ms in times {
            var out: [UInt8] = [0x7B]
            cache.append(milliseconds: ms, to: &out)
            #expect(out == [0x7B] + Self.reference(ms), "ms \(ms)")
        }
    }

    @Test func textEqualsUTCTimestampsAtTheEndsOfTheRange() {
        var cache = UTCHourTextCache()
        let lowest = UTCTimestamp.eventTimeRange.lowerBound, highest = UTCTimestamp.eventTimeRange.upperBound
        for ms in [lowest, lowest + 61_001, -1, 0, -3_600_000, highest, highest + 1, highest + 3_599_999] {
            var out: [UInt8] = []
            cache.append(milliseconds: ms, to: &out)
            #expect(out == Self.reference(ms), "ms \(ms)")
        }
    }
}
