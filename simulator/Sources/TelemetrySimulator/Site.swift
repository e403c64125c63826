/// A Vietnamese sensor site of the simulated fleet, with the climate, pollution and river
/// figures its devices' signals are built around.
///
/// The raw value is the lowercase ASCII tag used in topics and device ids (`hanoi`,
/// `hcmc`, …). Figures are rough late-year (dry season) values; they only need to be
/// plausible.
/// Threading: an immutable value; `Sendable`.
package enum Site: String, CaseIterable, Sendable, Hashable, Comparable {
    case hanoi, haiphong, danang, hcmc, dongnai, binhduong, cantho

    /// The place's name as people write it.
    package var displayName: String {
        switch self {
        case .hanoi: "Hà Nội"
        case .haiphong: "Hải Phòng"
        case .danang: "Đà Nẵng"
        case .hcmc: "TP. Hồ Chí Minh"
        case .dongnai: "Đồng Nai"
        case .binhduong: "Bình Dương"
        case .cantho: "Cần Thơ"
        }
    }

    /// Mean air temperature, °C.
    var meanTemperature: Double {
        switch self {
        case .hanoi: 21.5
        case .haiphong: 22.0
        case .danang: 24.5
        case .hcmc, .dongnai, .binhduong: 27.5
        case .cantho: 27.0
        }
    }

    /// Peak-to-trough daily temperature swing, °C.
    var dailyTemperatureSwing: Double {
        switch self {
        case .hanoi, .haiphong: 7.0
        case .danang: 5.0
        case .hcmc, .dongnai, .binhduong, .cantho: 8.0
        }
    }

    /// Mean relative humidity, %.
    var meanHumidity: Double {
        switch self {
        case .hanoi: 74
        case .haiphong: 79
        case .danang: 84
        case .hcmc: 72
        case .dongnai, .binhduong: 75
        case .cantho: 80
        }
    }

    /// Typical PM2.5, µg/m³, before the daily pattern.
    var pm25Baseline: Double {
        switch self {
        case .hanoi: 52
        case .haiphong: 42
        case .danang: 20
        case .hcmc: 30
        case .dongnai: 36
        case .binhduong: 38
        case .cantho: 24
        }
    }

    /// Mean river water level at the gauges, m.
    var meanWaterLevel: Double {
        switch self {
        case .danang: 1.15
        case .cantho: 1.65
        case .hcmc: 1.40
        default: 1.30
        }
    }

    /// Semi-diurnal tidal amplitude at the gauges, m.
    var tidalAmplitude: Double {
        switch self {
        case .danang: 0.40
        case .cantho: 0.85
        case .hcmc: 0.95
        default: 0.50
        }
    }

    package static func < (a: Site, b: Site) -> Bool { a.rawValue < b.rawValue }
}
