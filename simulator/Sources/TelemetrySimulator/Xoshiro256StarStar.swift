import Foundation

/// The simulator's deterministic pseudo-random generator: xoshiro256** (Blackman & Vigna),
/// seeded through `SplitMix64`.
///
/// Everything random in the simulator (fleet layout, signals, latency, faults) is drawn from
/// generators of this type, never from `SystemRandomNumberGenerator`, so a capture is a
/// function of its `FleetConfiguration` alone. The helpers (`nextUnit`, `nextInt(below:)`,
/// `nextGaussian`) use fixed algorithms rather than the standard library's
/// `random(in:using:)`, whose algorithm is not promised to stay the same.
/// `nextGaussian` uses `log`/`cos` from the C library; after the simulator rounds values to
/// 1–3 decimals the output is byte-identical on a given platform.
///
/// Invariants: the state is never all zeros (SplitMix64 seeding guarantees it).
/// Threading: a value type; each copy advances independently. `Sendable`.
package struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose state is four successive outputs of `SplitMix64(seed:)`.
    package init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    /// A generator for sub-stream `stream` of `seed`: different streams of one seed (and the
    /// same stream of different seeds) are statistically independent.
    package init(seed: UInt64, stream: UInt64) {
        self.init(seed: SplitMix64.mix(seed ^ SplitMix64.mix(stream &+ 0xD1B5_4A32_D192_ED03)))
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform `Double` in `0..<1` with 53 random bits.
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` (Lemire's unbiased multiply-and-reject); `bound > 0`.
    package mutating func nextInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold {
                m = next().multipliedFullWidth(by: bound)
            }
        }
        return m.high
    }

    /// A uniform integer in `range`.
    package mutating func nextInt(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if width == 0 { return Int64(bitPattern: next()) }  // the full 64-bit range
        return range.lowerBound &+ Int64(bitPattern: nextInt(below: width))
    }

    /// A uniform index into a collection of `count` elements; `count > 0`.
    package mutating func nextIndex(_ count: Int) -> Int {
        Int(nextInt(below: UInt64(count)))
    }

    /// A standard normal variate (mean 0, standard deviation 1), by Box–Muller; consumes
    /// exactly two 64-bit outputs.
    package mutating func nextGaussian() -> Double {
        let u1 = 1.0 - nextUnit()  // in (0, 1], so log is finite
        let u2 = nextUnit()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
