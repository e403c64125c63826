import Testing
@testable import TelemetryCore

@Suite struct ReadingTests {
    /// The ring copies readings by value; growing the type would slow every push and drain.
    @Test func readingOccupiesAtMostFortyBytesInAnArray() {
        #expect(MemoryLayout<Reading>.stride <= 40)
    }

    @Test func readingMadeOnItsOwnIsAMessageOfItsOwn() {
        let r = Reading(series: 1, device: 2, eventTimeMs: 3, value: 4)
        #expect(r.isFirstInMessage)
        #expect(r.seq == Reading.noSeq)
    }
}
