import Testing
@testable import TelemetryCore

@Suite struct ReadingTests {
    /// The ring copies readings by value; growing the type would slow every push and drain.
    /// (48: ids, event time, value, seq, arrival time and the first-in-message flag.)
    @Test func readingOccupiesAtMostFortyEightBytesInAnArray() {
        #expect(MemoryLayout<Reading>.stride <= 48)
    }

    @Test func readingMadeWithoutAnArrivalTimeArrivedAtItsEventTime() {
        #expect(Reading(series: 1, device: 2, eventTimeMs: 3, value: 4).arrivalMs == 3)
        #expect(Reading(series: 1, device: 2, eventTimeMs: 3, value: 4, arrivalMs: 9).arrivalMs == 9)
    }

    @Test func readingMadeOnItsOwnIsAMessageOfItsOwn() {
        let r = Reading(series: 1, device: 2, eventTimeMs: 3, value: 4)
        #expect(r.isFirstInMessage)
        #expect(r.seq == Reading.noSeq)
    }
}
