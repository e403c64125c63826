import Testing
@testable import TelemetryDaemon

/// Recognising what a broker resends after a crash.
@Suite struct RedeliveryFilterTests {
    func digest(_ topic: String, _ payload: String) -> UInt64 {
        Array(topic.utf8).withUnsafeBytes { t in Array(payload.utf8).withUnsafeBytes { p in
            RedeliveryFilter.digest(topic: t, payload: p)
        } }
    }

    func check(_ filter: inout RedeliveryFilter, _ mid: Int32, _ topic: String, _ payload: String) -> Bool {
        Array(topic.utf8).withUnsafeBytes { t in Array(payload.utf8).withUnsafeBytes { p in
            filter.isRedelivery(mid: mid, topic: t, payload: p)
        } }
    }

    @Test func aResentMessageWithItsPacketIdAndBytesIsARedeliveryOnce() {
        var f = RedeliveryFilter(entries: [(7, digest("vn/a/b/level", "1.5"))])
        #expect(check(&f, 7, "vn/a/b/level", "1.5"))
        #expect(!check(&f, 7, "vn/a/b/level", "1.5"), "a second copy is a new message")
    }

    @Test func theSameIdWithOtherBytesIsANewMessage() {
        var f = RedeliveryFilter(entries: [(7, digest("vn/a/b/level", "1.5"))])
        #expect(!check(&f, 7, "vn/a/b/level", "1.6"))
        #expect(!check(&f, 8, "vn/a/b/level", "1.5"))
    }

    @Test func qos0MessagesNeverMatch() {
        var f = RedeliveryFilter(entries: [(0, digest("t", "p"))])
        #expect(!f.isActive)
        #expect(!check(&f, 0, "t", "p"))
    }

    @Test func theFilterStopsLookingAfterItsHorizon() {
        var f = RedeliveryFilter(entries: [(9, digest("t", "p"))])
        for i in 0..<RedeliveryFilter.horizon { _ = check(&f, Int32(10_000 + i), "t", "other") }
        #expect(!f.isActive)
        #expect(!check(&f, 9, "t", "p"))
    }

    @Test func onceEveryEntryMatchedTheFilterIsDone() {
        var f = RedeliveryFilter(entries: [(1, digest("t", "a")), (2, digest("t", "b"))])
        #expect(check(&f, 2, "t", "b"))
        #expect(f.isActive)
        #expect(check(&f, 1, "t", "a"))
        #expect(!f.isActive)
    }
}
