import Foundation

/// The signals of an air-quality sensor: PM2.5 and PM10 with morning and evening rush-hour
/// peaks, a night-time inversion bump and slowly wandering pollution episodes;
/// temperature and humidity following the daily cycle (warmest, driest mid-afternoon local
/// time) plus noise.
///
/// Invariants of every reading: `pm25 >= 0`, `pm10 >= pm25`, `0 <= humidity <= 100`.
/// Threading: a value type owned by one device simulator.
struct AirQualityModel: Sendable {
    static let metricCount = 4

    private let site: Site
    private let temperatureOffset: Double
    private let humidityOffset: Double
    private let pmScale: Double
    private let coarseRatio: Double
    private let persistence: Double
    private var episode: Double = 0

    private(set) var pm25 = 0.0
    private(set) var pm10 = 0.0
    private(set) var temperature = 0.0
    private(set) var humidity = 0.0

    init(site: Site, intervalMs: Int64, rng: inout Xoshiro256StarStar) {
        self.site = site
        temperatureOffset = 0.6 * rng.nextGaussian()
        humidityOffset = 3 * rng.nextGaussian()
        pmScale = exp(0.15 * rng.nextGaussian())
        coarseRatio = 1.35 + 0.3 * rng.nextUnit()
        persistence = exp(-Double(intervalMs) / 7_200_000)  // episodes last hours
        episode = 0.25 * rng.nextGaussian()
    }

    mutating func advance(atMs ms: Int64, rng: inout Xoshiro256StarStar) {
        let hour = VietnamTime.hourOfDay(ms)
        episode = persistence * episode + (1 - persistence * persistence).squareRoot() * 0.25 * rng.nextGaussian()
        let diurnal = 1
            + 0.55 * VietnamTime.bump(hour, center: 7.5, width: 1.2)
            + 0.70 * VietnamTime.bump(hour, center: 18.5, width: 1.5)
            + 0.45 * VietnamTime.bump(hour, center: 1.0, width: 3.5)
        let fine = site.pm25Baseline * pmScale * diurnal * exp(episode) + 1.5 * rng.nextGaussian()
        pm25 = rounded(max(0, fine), 1)
        pm10 = rounded(pm25 * coarseRatio + abs(2 * rng.nextGaussian()), 1)
        let daily = VietnamTime.daily(hour, peakHour: 14.5)
        temperature = rounded(
            site.meanTemperature + temperatureOffset + site.dailyTemperatureSwing / 2 * daily
                + 0.25 * rng.nextGaussian(), 1)
        humidity = rounded(
            min(100, max(0, site.meanHumidity + humidityOffset - 12 * daily + 1.2 * rng.nextGaussian())), 1)
    }

    /// `{"ts":<ms>,"seq":<n>,"pm25":…,"pm10":…,"temperature":…,"humidity":…}`
    func write(tsMs: Int64, seq: Int64, to w: inout PayloadWriter) {
        w.beginObject()
        w.integer("ts", tsMs)
        w.integer("seq", seq)
        w.metric("pm25", pm25, decimals: 1)
        w.metric("pm10", pm10, decimals: 1)
        w.metric("temperature", temperature, decimals: 1)
        w.metric("humidity", humidity, decimals: 1)
        w.endObject()
    }
}

/// `value` rounded to `decimals` places (so derived values use what is printed).
func rounded(_ value: Double, _ decimals: Int) -> Double {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    return (value * scale).rounded() / scale
}
