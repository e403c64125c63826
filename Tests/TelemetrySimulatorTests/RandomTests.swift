import Testing
import TelemetrySimulator

@Test func splitMix64MatchesTheReferenceSequence() {
    // Reference values of splitmix64.c seeded with 1234567.
    var rng = SplitMix64(seed: 1_234_567)
    let outputs = (0..<5).map { _ in rng.next() }
    #expect(outputs == [
        6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
        4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
    ])
}

@Test func xoshiroIsDeterministicPerSeedAndStream() {
    var a = Xoshiro256StarStar(seed: 9, stream: 4)
    var b = Xoshiro256StarStar(seed: 9, stream: 4)
    var c = Xoshiro256StarStar(seed: 9, stream: 5)
    let xs = (0..<8).map { _ in a.next() }
    #expect(xs == (0..<8).map { _ in b.next() })
    #expect(xs != (0..<8).map { _ in c.next() })
}

@Test func boundedIntegersStayInRangeAndCoverIt() {
    var rng = Xoshiro256StarStar(seed: 3)
    var seen = Set<Int64>()
    for _ in 0..<2_000 {
        let x = rng.nextInt(in: -3...3)
        #expect((-3...3).contains(x))
        seen.insert(x)
    }
    #expect(seen.count == 7)
}

@Test func unitDoublesLieInHalfOpenRange() {
    var rng = Xoshiro256StarStar(seed: 17)
    let xs = (0..<10_000).map { _ in rng.nextUnit() }
    #expect(xs.allSatisfy { $0 >= 0 && $0 < 1 })
    let mean = xs.reduce(0, +) / Double(xs.count)
    #expect(abs(mean - 0.5) < 0.02)
}

@Test func gaussianHasUnitVariance() {
    var rng = Xoshiro256StarStar(seed: 23)
    let xs = (0..<20_000).map { _ in rng.nextGaussian() }
    let mean = xs.reduce(0, +) / Double(xs.count)
    let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
    #expect(abs(mean) < 0.05)
    #expect(abs(variance - 1) < 0.05)
}
