import Foundation

/// The signals of a three-phase-ish industrial power meter: voltage around 230 V (sagging
/// slightly under load), current following a working-hours load cycle (07:00–17:30 local,
/// lunch dip, lighter on Saturday, light on Sunday), active power = V × I × power factor,
/// and an `energy` counter in kWh that grows by active power × interval.
///
/// Invariants: `current >= 0`, `active >= 0`, `energy` never decreases.
/// Threading: a value type owned by one device simulator.
struct PowerMeterModel: Sendable {
    static let metricCount = 4

    private let ratedCurrent: Double
    private let nominalVoltage: Double
    private let powerFactor: Double
    private let intervalHours: Double

    private(set) var voltage = 0.0
    private(set) var current = 0.0
    private(set) var active = 0.0
    private(set) var energy: Double

    init(intervalMs: Int64, rng: inout Xoshiro256StarStar) {
        ratedCurrent = 15 + 35 * rng.nextUnit()
        nominalVoltage = 230 + 1.5 * rng.nextGaussian()
        powerFactor = 0.86 + 0.1 * rng.nextUnit()
        intervalHours = Double(intervalMs) / 3_600_000
        energy = rounded(5_000 + 200_000 * rng.nextUnit(), 3)
    }

    mutating func advance(atMs ms: Int64, rng: inout Xoshiro256StarStar) {
        let hour = VietnamTime.hourOfDay(ms)
        let working = VietnamTime.logistic(hour - 7, width: 0.4)
            * VietnamTime.logistic(17.5 - hour, width: 0.4)
            * (1 - 0.35 * VietnamTime.bump(hour, center: 12, width: 0.5))
        let day: Double
        switch VietnamTime.weekday(ms) {
        case 6: day = 0.25
        case 5: day = 0.7
        default: day = 1
        }
        let load = 0.12 + 0.83 * working * day
        current = rounded(max(0, ratedCurrent * load * (1 + 0.03 * rng.nextGaussian())), 2)
        voltage = rounded(nominalVoltage - 0.05 * current + 0.8 * rng.nextGaussian(), 1)
        active = rounded(max(0, voltage * current * powerFactor), 1)
        energy += active / 1_000 * intervalHours
    }

    /// `{"ts":"<RFC 3339>","seq":<n>,"power":{"voltage":…,"current":…,"active":…},"energy":…}`
    func write(tsMs: Int64, seq: Int64, to w: inout PayloadWriter) {
        w.beginObject()
        w.timestamp("ts", milliseconds: tsMs)
        w.integer("seq", seq)
        w.beginObject("power")
        w.metric("voltage", voltage, decimals: 1)
        w.metric("current", current, decimals: 2)
        w.metric("active", active, decimals: 1)
        w.endObject()
        w.metric("energy", energy, decimals: 3)
        w.endObject()
    }
}
