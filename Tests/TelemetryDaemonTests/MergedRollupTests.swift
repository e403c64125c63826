import Testing
import TelemetryCore

/// The test support's merge of rows with the same key (``MergedRollup``) against the naive
/// statistics of all their readings: the event-time tests rely on it.
@Suite struct MergedRollupTests {
    private let key = ReferenceRollups.Key(window: "10s", startMs: 0, site: "hanoi", device: "d1", metric: "pm25")

    private func readings() -> [(Int64, Double)] {
        var values = SeededValues(seed: 9)
        return (0..<50).map { (Int64($0) * 100, values.next(-50...300)) }
    }

    private func row(_ part: ArraySlice<(Int64, Double)>) -> FileRollup {
        let (count, fields) = ReferenceRollups.stats(Array(part))
        return FileRollup(window: key.window, start: UTCTimestamp.format(milliseconds: 0), end: UTCTimestamp.format(milliseconds: 10_000),
                          site: key.site, device: key.device, metric: key.metric, count: count, values: fields)
    }

    @Test(arguments: [1, 7, 25, 49])
    func rowsThatPartitionAWindowMergeToTheStatisticsOfAllItsReadings(cut: Int) {
        let all = readings()
        let problems = MergedRollup.differences([row(all[..<cut]), row(all[cut...])], expected: [key: all])
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func aMergedStatisticThatIsOffIsReported() {
        let all = readings()
        var rows = [row(all[..<10]), row(all[10...])]
        rows[1].values["stddev"]! += 0.01
        let problems = MergedRollup.differences(rows, expected: [key: all])
        #expect(problems.count == 1 && problems[0].contains("stddev"), "\(problems)")
    }
}
