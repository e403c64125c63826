/// The SplitMix64 generator (Steele, Lea & Flood), used to expand one 64-bit seed into the
/// state of a `Xoshiro256StarStar` and to derive independent streams from `(seed, stream)`.
///
/// Invariants: the output sequence depends only on the initial `state`; it is the same on
/// every platform and Swift version (pure wrapping integer arithmetic).
/// Threading: a value type; each copy advances independently. `Sendable`.
package struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The current state; the next output is a function of `state + golden gamma`.
    package private(set) var state: UInt64

    /// Starts a generator whose first output is `mix(seed &+ 0x9E3779B97F4A7C15)`.
    package init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mixing function with good avalanche.
    package static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
