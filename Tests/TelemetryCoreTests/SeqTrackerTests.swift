import Testing
@testable import TelemetryCore

@Suite struct SeqTrackerTests {
    @Test func firstSeqOfADeviceIsAccepted() {
        var t = SeqTracker()
        #expect(t.observe(device: 0, seq: 500) == .accept)
        #expect(t.duplicates == 0 && t.gaps == 0 && t.restarts == 0)
    }

    @Test func firstSeqZeroIsAccepted() {
        var t = SeqTracker()
        #expect(t.observe(device: 3, seq: 0) == .accept)
        #expect(t.observe(device: 3, seq: 1) == .accept)
        #expect(t.gaps == 0)
    }

    @Test func repeatOfTheLatestSeqIsADuplicate() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 7)
        #expect(t.observe(device: 0, seq: 7) == .duplicate)
        #expect(t.duplicates == 1)
    }

    @Test func consecutiveSeqsAreAcceptedWithoutGaps() {
        var t = SeqTracker()
        for s in Int64(10)..<2_000 { #expect(t.observe(device: 1, seq: s) == .accept) }
        #expect(t.gaps == 0 && t.duplicates == 0 && t.restarts == 0)
    }

    @Test func redeliveryOfAnOlderSeenSeqWithinTheWindowIsADuplicate() {
        var t = SeqTracker()
        for s in Int64(0)..<1_500 { _ = t.observe(device: 0, seq: s) }
        // The broker redelivers its in-flight window: all of these were seen.
        for s in Int64(1_499 - 1_023)...1_499 { #expect(t.observe(device: 0, seq: s) == .duplicate, "seq \(s)") }
        #expect(t.duplicates == 1_024)
        #expect(t.restarts == 0)
    }

    @Test func forwardJumpOfKCountsKMinusOneGaps() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 100)
        #expect(t.observe(device: 0, seq: 105) == .accept)
        #expect(t.gaps == 4)
        #expect(t.observe(device: 0, seq: 106) == .accept)
        #expect(t.gaps == 4)
    }

    @Test func forwardJumpBeyondTheWindowCountsEveryMissingSeq() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 0)
        #expect(t.observe(device: 0, seq: 5_000) == .accept)
        #expect(t.gaps == 4_999)
        #expect(t.restarts == 0)
        // Still tracking: the new latest repeats as a duplicate, a filled gap is accepted.
        #expect(t.observe(device: 0, seq: 5_000) == .duplicate)
        #expect(t.observe(device: 0, seq: 4_990) == .accept)
        #expect(t.gaps == 4_998)
    }

    /// A jump of more than a million is no run of lost messages but a device that reset or
    /// re-seeded its counter: counted as a restart, not as ~9e18 gaps.
    @Test func forwardJumpBeyondAMillionIsARestartNotGaps() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 5)
        #expect(t.observe(device: 0, seq: 9_000_000_000_000_000_000) == .accept)
        #expect(t.gaps == 0)
        #expect(t.restarts == 1)
        // Tracking starts over at the new seq.
        #expect(t.observe(device: 0, seq: 9_000_000_000_000_000_000) == .duplicate)
        #expect(t.observe(device: 0, seq: 9_000_000_000_000_000_001) == .accept)
        #expect(t.gaps == 0)
    }

    @Test func forwardJumpOfExactlyAMillionStillCountsItsGaps() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 0)
        #expect(t.observe(device: 0, seq: 1_000_000) == .accept)
        #expect(t.gaps == 999_999)
        #expect(t.restarts == 0)
    }

    @Test func outOfOrderArrivalThatFillsAGapIsAcceptedAndReducesGaps() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 1)
        _ = t.observe(device: 0, seq: 5)
        #expect(t.gaps == 3)
        #expect(t.observe(device: 0, seq: 3) == .accept)
        #expect(t.gaps == 2)
        #expect(t.observe(device: 0, seq: 2) == .accept)
        #expect(t.observe(device: 0, seq: 4) == .accept)
        #expect(t.gaps == 0)
        #expect(t.observe(device: 0, seq: 3) == .duplicate)
        #expect(t.gaps == 0)
    }

    @Test func filledGapRepeatedIsADuplicateAndDoesNotReduceGapsAgain() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 1)
        _ = t.observe(device: 0, seq: 10)
        _ = t.observe(device: 0, seq: 4)
        #expect(t.gaps == 7)
        #expect(t.observe(device: 0, seq: 4) == .duplicate)
        #expect(t.gaps == 7)
    }

    @Test func seqBelowTheFirstOneSeenIsAcceptedWithoutTouchingGaps() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 10)
        _ = t.observe(device: 0, seq: 12)
        #expect(t.gaps == 1)
        #expect(t.observe(device: 0, seq: 5) == .accept)
        #expect(t.gaps == 1)
        #expect(t.observe(device: 0, seq: 5) == .duplicate)
    }

    /// Only numbers skipped by a forward jump are gaps; 7 (between a seq older than the first
    /// one seen and the first one) was never counted, so its arrival must not take back the
    /// gap of 11, which is still missing.
    @Test func arrivalBelowTheFirstSeqDoesNotTakeBackAnUnrelatedGap() {
        var t = SeqTracker()
        _ = t.observe(device: 0, seq: 10)
        _ = t.observe(device: 0, seq: 12)   // gap: 11
        _ = t.observe(device: 0, seq: 5)    // older than the first seq: not a gap filler
        #expect(t.observe(device: 0, seq: 7) == .accept)
        #expect(t.gaps == 1)
        #expect(t.observe(device: 0, seq: 11) == .accept)
        #expect(t.gaps == 0)
    }

    @Test func jumpBackByMoreThanTheWindowIsARestart() {
        var t = SeqTracker()
        for s in Int64(0)...2_000 { _ = t.observe(device: 0, seq: s) }
        #expect(t.observe(device: 0, seq: 2_000 - 1_025) == .accept)
        #expect(t.restarts == 1)
        #expect(t.duplicates == 0)
    }

    @Test func afterARestartTrackingStartsOver() {
        var t = SeqTracker()
        for s in Int64(0)...3_000 { _ = t.observe(device: 0, seq: s) }
        #expect(t.observe(device: 0, seq: 0) == .accept)
        #expect(t.restarts == 1)
        #expect(t.observe(device: 0, seq: 1) == .accept)
        #expect(t.observe(device: 0, seq: 0) == .duplicate)
        #expect(t.observe(device: 0, seq: 2) == .accept)
        #expect(t.gaps == 0)
    }

    @Test func devicesAreTrackedIndependently() {
        var t = SeqTracker()
        #expect(t.observe(device: 0, seq: 1) == .accept)
        #expect(t.observe(device: 9, seq: 1) == .accept)
        #expect(t.observe(device: 5, seq: 1) == .accept)
        #expect(t.observe(device: 0, seq: 1) == .duplicate)
        #expect(t.observe(device: 9, seq: 2) == .accept)
        #expect(t.observe(device: 5, seq: 1) == .duplicate)
        #expect(t.duplicates == 2)
    }

    @Test func stateRoundTripKeepsDuplicateDetection() {
        var a = SeqTracker()
        for s: Int64 in [3, 4, 8, 6] { _ = a.observe(device: 2, seq: s) }
        let st = a.state(of: 2)!
        var b = SeqTracker()
        b.restore(device: 2, highest: st.highest, lowest: st.lowest, seen: st.seen)
        for s: Int64 in [3, 4, 6, 8] { #expect(b.observe(device: 2, seq: s) == .duplicate, "seq \(s)") }
        #expect(b.observe(device: 2, seq: 5) == .accept)
        #expect(b.observe(device: 2, seq: 9) == .accept)
        #expect(a.state(of: 3) == nil)
    }

    /// Random streams against a plain model: a seq is a duplicate iff it lies within the 1024
    /// seqs up to the highest seen since the last (re)start and was seen since then.
    @Test func agreesWithASetBasedModelOnRandomStreams() {
        var rng = SplitMix64(seed: 77)
        for _ in 0..<50 {
            var t = SeqTracker()
            var highest: [Int64?] = Array(repeating: nil, count: 3)
            var seen: [Set<Int64>] = Array(repeating: [], count: 3)
            var next: [Int64] = [0, 5_000, 100]
            var restarts = 0
            for _ in 0..<3_000 {
                let d = rng.int(0...2)
                var s: Int64
                switch rng.int(0...19) {
                case 0: s = max(0, next[d] - rng.int64(1...1_500))          // redelivery / old
                case 1: s = next[d] + rng.int64(1...2_000); next[d] = s + 1   // jump
                case 2: s = 0; next[d] = 1                                   // device restart
                default: s = next[d]; next[d] += 1
                }
                let expected: SeqTracker.Verdict
                if let h = highest[d] {
                    if s > h { highest[d] = s; seen[d].insert(s); expected = .accept }
                    else if s > h - SeqTracker.windowSize {
                        expected = seen[d].insert(s).inserted ? .accept : .duplicate
                    } else { highest[d] = s; seen[d] = [s]; restarts += 1; expected = .accept }
                } else {
                    highest[d] = s; seen[d] = [s]; expected = .accept
                }
                #expect(t.observe(device: DeviceID(d), seq: s) == expected, "device \(d) seq \(s)")
            }
            #expect(t.restarts == restarts)
        }
    }
}
