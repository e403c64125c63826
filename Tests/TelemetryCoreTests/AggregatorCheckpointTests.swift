import Testing
@testable import TelemetryCore

@Suite struct AggregatorCheckpointTests {
    static func sample(sum: Double = 4.5, watermark: Int64? = 1_795_500_061_000) -> AggregatorCheckpoint {
        var stats = RollupAccumulator()
        stats.add(1.5, at: 1_795_500_000_100)
        stats.add(3, at: 1_795_500_000_200)
        if !sum.isFinite {
            stats = RollupAccumulator(
                count: 2, min: 1.5, max: 3, sum: sum, mean: 2.25, m2: .infinity, first: 1.5,
                firstTimeMs: 1_795_500_000_100, last: 3, lastTimeMs: 1_795_500_000_200)
        }
        return AggregatorCheckpoint(
            windows: ["10s", "1m"], allowedLatenessMs: 5_000, watermarkMs: watermark,
            open: [.init(window: "1m", startMs: 1_795_500_000_000, site: "Hà Nội", device: "d \"1\"",
                         metric: "power.voltage", stats: stats)],
            devices: [.init(site: "Hà Nội", device: "d \"1\"", highest: 42, lowest: 0, seen: [0, 1, .max])],
            counters: ["readings_accepted": 2, "late_10s": 1, "duplicates": 0])
    }

    static func decode(_ bytes: [UInt8]) -> Result<AggregatorCheckpoint, JSONParseError> {
        do throws(JSONParseError) { return .success(try AggregatorCheckpoint(json: bytes)) } catch { return .failure(error) }
    }

    @Test func writtenCheckpointReadsBackEqual() throws {
        for c in [Self.sample(), Self.sample(watermark: nil)] {
            #expect(try Self.decode(c.jsonBytes()).get() == c)
        }
    }

    @Test func nonFiniteStatisticsSurviveTheRoundTrip() throws {
        let c = Self.sample(sum: -.infinity)
        let text = String(decoding: c.jsonBytes(), as: UTF8.self)
        #expect(text.contains(#""sum":"-inf""#))
        #expect(text.contains(#""m2":"inf""#))
        #expect(try Self.decode(c.jsonBytes()).get() == c)
    }

    /// What `JSONEncoder` (sorted keys) wrote for ``sample()`` before the checkpoint had its
    /// own writer: integral doubles without `.0`, the same keys.
    static let codableText = #"{"allowedLatenessMs":5000,"counters":{"duplicates":0,"late_10s":1,"readings_accepted":2},"devices":[{"device":"d \"1\"","highest":42,"lowest":0,"seen":[0,1,18446744073709551615],"site":"Hà Nội"}],"open":[{"device":"d \"1\"","metric":"power.voltage","site":"Hà Nội","startMs":1795500000000,"stats":{"count":2,"first":1.5,"firstTimeMs":1795500000100,"last":3,"lastTimeMs":1795500000200,"m2":1.125,"max":3,"mean":2.25,"min":1.5,"sum":4.5},"window":"1m"}],"version":1,"watermarkMs":1795500061000,"windows":["10s","1m"]}"#

    @Test func aCheckpointWrittenByTheCodableEncodingIsRestorable() throws {
        #expect(try Self.decode(Array(Self.codableText.utf8)).get() == Self.sample())
    }

    @Test func aMissingFieldIsNamed() {
        let text = #"{"version":1,"windows":[],"allowedLatenessMs":0,"devices":[],"counters":{}}"#
        guard case .failure(let error) = Self.decode(Array(text.utf8)) else { Issue.record("expected an error"); return }
        #expect(error.reason == "checkpoint has no 'open'")
    }

    @Test func anotherVersionIsRefused() {
        let text = #"{"version":2,"windows":[],"allowedLatenessMs":0,"open":[],"devices":[],"counters":{}}"#
        guard case .failure(let error) = Self.decode(Array(text.utf8)) else { Issue.record("expected an error"); return }
        #expect(error.reason.contains("version 2"))
    }

    @Test func aTruncatedCheckpointIsAnError() {
        let bytes = Self.sample().jsonBytes()
        guard case .failure = Self.decode(Array(bytes.dropLast(10))) else { Issue.record("expected an error"); return }
    }
}
