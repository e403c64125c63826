import Testing
@testable import TelemetryDaemon

/// Telling a client-id collision apart from an unstable network.
@Suite struct TakeoverSuspicionTests {
    @Test func threeConnectionsLostSoonAfterTheyWereAcceptedWarnOnce() {
        var s = TakeoverSuspicion()
        var warnings = 0
        for k in 0..<6 {
            s.connected(atMs: Int64(k) * 1_000)
            if s.disconnected(atMs: Int64(k) * 1_000 + 800) { warnings += 1 }
        }
        #expect(warnings == 1)
    }

    @Test func connectionsThatLiveAWhileAreNoTakeover() {
        var s = TakeoverSuspicion()
        for k in 0..<6 {
            s.connected(atMs: Int64(k) * 60_000)
            let warn = s.disconnected(atMs: Int64(k) * 60_000 + 30_000)
            #expect(!warn)
        }
    }

    @Test func aCalmConnectionResetsTheStreak() {
        var s = TakeoverSuspicion()
        s.connected(atMs: 0); _ = s.disconnected(atMs: 100)
        s.connected(atMs: 1_000); _ = s.disconnected(atMs: 1_100)
        s.connected(atMs: 2_000); _ = s.disconnected(atMs: 60_000)
        s.connected(atMs: 61_000)
        let warn = s.disconnected(atMs: 61_100)
        #expect(!warn)
    }
}
