import Testing
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct MalformedLineSummaryTests {
    @Test func malformedLinesAreSkippedAndCountedWithLocation() throws {
        let dir = try TemporaryDataDirectory()
        let good = jsonLine(makeRow())
        let path = try dir.write("a.jsonl", good + "{\"window\":\"1m\", nope\n" + good
            + "{\"window\":\"1m\"}\n" + "[1,2]\n")
        var reader = RollupFileReader(path: path)
        #expect(try reader.readAll().count == 2)
        #expect(reader.malformed.count == 3)
        #expect(reader.malformed.firstLocation == path + ":2")
        #expect(reader.malformed.summary?.contains("skipped 3 malformed rollup lines") == true)
    }
}
