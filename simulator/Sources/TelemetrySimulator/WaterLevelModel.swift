import Foundation

/// The signal of a river water-level gauge, in metres: a semi-diurnal tide (period
/// 12.42 h) plus a smaller diurnal one (23.93 h), a slow random drift (rain, discharge)
/// and gauge noise. The level is stated above the gauge's datum and kept ≥ 0.
///
/// Threading: a value type owned by one device simulator.
struct WaterLevelModel: Sendable {
    private let mean: Double
    private let amplitude: Double
    private let semidiurnalPhase: Double
    private let diurnalPhase: Double
    private let persistence: Double
    private var drift: Double

    private(set) var level = 0.0

    init(site: Site, intervalMs: Int64, rng: inout Xoshiro256StarStar) {
        mean = site.meanWaterLevel + 0.1 * rng.nextGaussian()
        amplitude = site.tidalAmplitude * (0.85 + 0.3 * rng.nextUnit())
        semidiurnalPhase = 2 * Double.pi * rng.nextUnit()
        diurnalPhase = 2 * Double.pi * rng.nextUnit()
        persistence = exp(-Double(intervalMs) / 21_600_000)  // drift over ~6 h
        drift = 0.05 * rng.nextGaussian()
    }

    mutating func advance(atMs ms: Int64, rng: inout Xoshiro256StarStar) {
        let hours = Double(ms) / 3_600_000
        drift = persistence * drift + (1 - persistence * persistence).squareRoot() * 0.05 * rng.nextGaussian()
        let tide = amplitude * cos(2 * Double.pi * hours / 12.42 + semidiurnalPhase)
            + 0.3 * amplitude * cos(2 * Double.pi * hours / 23.93 + diurnalPhase)
        level = rounded(max(0, mean + tide + drift + 0.015 * rng.nextGaussian()), 2)
    }

    /// The level as text, e.g. `1.37`.
    func write(to out: inout [UInt8]) {
        PayloadWriter.appendFixed(level, decimals: 2, to: &out)
    }
}
