import Foundation
@testable import TelemetryCore

/// SplitMix64: a small, seedable generator, so every random test replays exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
}

/// A decoder over a fresh registry, taking topics and payloads as text or bytes.
final class DecodeHarness {
    let registry: SeriesRegistry
    let decoder: MessageDecoder

    /// An arrival time well inside the 21st century: 2026-11-24T06:00:00Z.
    static let arrival: Int64 = 1_795_500_000_000

    /// What one `decode` did: the reason it threw (nil on success) and the readings it left.
    struct Outcome {
        var reason: RejectReason?
        var readings: [Reading]
    }

    init(templates: [TopicTemplate] = TopicTemplate.defaults, limits: DecodeLimits = DecodeLimits(),
         registry: SeriesRegistry = SeriesRegistry()) {
        self.registry = registry
        self.decoder = MessageDecoder(templates: templates, registry: registry, limits: limits)
    }

    func decode(_ topic: String, _ payload: String, arrivalMs: Int64 = DecodeHarness.arrival) -> Outcome {
        decode(topic: Array(topic.utf8), payload: Array(payload.utf8), arrivalMs: arrivalMs)
    }

    /// Decodes and catches: `reason` is what `decode` threw, nil when it returned.
    func decode(topic: [UInt8], payload: [UInt8], arrivalMs: Int64 = DecodeHarness.arrival) -> Outcome {
        let result = topic.withUnsafeBytes { t in
            payload.withUnsafeBytes { p in
                Result { () throws(RejectReason) in try decoder.decode(topic: t, payload: p, arrivalMs: arrivalMs) }
            }
        }
        guard case .failure(let reason) = result else { return Outcome(reason: nil, readings: decoder.readings) }
        return Outcome(reason: reason, readings: decoder.readings)
    }

    /// The template a config spec names (a test's own spec, so it must parse).
    static func template(_ spec: String) -> TopicTemplate {
        do { return try TopicTemplate(spec: spec) } catch { fatalError("\(error)") }
    }

    /// The series key of a reading, from the registry's name table.
    func key(_ r: Reading) -> SeriesKey { registry.keys(from: 0)[Int(r.series)] }

    /// metric name → value of an outcome's readings.
    func metrics(_ o: Outcome) -> [String: Double] {
        var out: [String: Double] = [:]
        for r in o.readings { out[key(r).metric] = r.value }
        return out
    }
}

/// Relative comparison of doubles, with a tiny absolute floor for values at zero.
func nearlyEqual(_ a: Double, _ b: Double, relative: Double = 1e-9) -> Bool {
    if a == b { return true }
    return abs(a - b) <= relative * max(abs(a), abs(b), 1e-12)
}
