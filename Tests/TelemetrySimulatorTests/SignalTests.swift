import Foundation
import Testing
import TelemetrySimulator

/// Two days at five-minute intervals: enough to see the daily cycles.
private let twoDays = configuration(devices: 20, durationMs: 2 * 86_400_000, intervalMs: 300_000)

/// The capture of `twoDays`, parsed once for all tests.
private let twoDaysRecords: [CaptureRecord] = parseCapture(try! capture(twoDays)).compactMap { $0 }
private let twoDaysReadings: [JSONReading] = twoDaysRecords.compactMap(decodeJSONReading)

private func readings(_ config: FleetConfiguration) throws -> [JSONReading] {
    if config == twoDays { return twoDaysReadings }
    return parseCapture(try capture(config)).compactMap { $0.flatMap(decodeJSONReading) }
}

@Test func jsonPayloadsParseWithoutFaults() throws {
    let records = parseCapture(try capture(configuration(durationMs: 600_000))).compactMap { $0 }
    let json = records.filter { $0.topic.hasSuffix("/telemetry") }
    #expect(!json.isEmpty)
    #expect(json.allSatisfy { decodeJSONReading($0) != nil })
}

@Test func airQualityPayloadHasEpochMsAndFourMetrics() throws {
    let aq = try readings(configuration(durationMs: 60_000)).filter { $0.device.hasPrefix("aq-") }
    #expect(!aq.isEmpty)
    for r in aq {
        #expect(Set(r.metrics.keys) == ["pm25", "pm10", "temperature", "humidity"])
    }
}

@Test func powerMeterPayloadIsNestedWithRFC3339Timestamp() throws {
    let records = parseCapture(try capture(configuration(durationMs: 60_000))).compactMap { $0 }
    let meters = records.filter { $0.topicSegments[2].hasPrefix("pm-") }
    #expect(!meters.isEmpty)
    for record in meters {
        let text = String(decoding: record.payload, as: UTF8.self)
        #expect(text.wholeMatch(of: /\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","seq":\d+,"power":\{.*\},"energy":[0-9.]+\}/) != nil, "\(text)")
        let reading = try #require(decodeJSONReading(record))
        #expect(Set(reading.metrics.keys) == ["power.voltage", "power.current", "power.active", "energy"])
    }
}

@Test func seqIncreasesByOnePerDeviceFromItsFirstSeq() throws {
    let config = configuration(durationMs: 1_800_000)
    let fleet = Fleet(configuration: config)
    let byDevice = Dictionary(grouping: try readings(config), by: \.device)
    for device in fleet.devices where device.kind != .waterLevel {
        let seqs = try #require(byDevice[device.id]).map(\.seq)
        #expect(seqs.first == device.firstSeq)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 })
    }
}

@Test func energyCounterNeverDecreases() throws {
    let byDevice = Dictionary(grouping: try readings(twoDays).filter { $0.device.hasPrefix("pm-") }, by: \.device)
    #expect(!byDevice.isEmpty)
    for (_, series) in byDevice {
        let energy = series.map { $0.metrics["energy"]! }
        #expect(zip(energy, energy.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(energy.last! > energy.first!)
    }
}

@Test func energyGrowsByActivePowerTimesInterval() throws {
    let config = configuration(durationMs: 3_600_000, intervalMs: 10_000)
    let byDevice = Dictionary(grouping: try readings(config).filter { $0.device.hasPrefix("pm-") }, by: \.device)
    for (_, series) in byDevice {
        for (previous, current) in zip(series, series.dropFirst()) {
            let expected = current.metrics["power.active"]! / 1_000 * 10 / 3_600
            let delta = current.metrics["energy"]! - previous.metrics["energy"]!
            #expect(abs(delta - expected) <= 0.0011)
        }
    }
}

@Test func humidityStaysWithinZeroToHundred() throws {
    let humidity = try readings(twoDays).compactMap { $0.metrics["humidity"] }
    #expect(!humidity.isEmpty)
    #expect(humidity.allSatisfy { (0...100).contains($0) })
}

@Test func particulateMatterIsNeverNegative() throws {
    for r in try readings(twoDays) where r.device.hasPrefix("aq-") {
        #expect(r.metrics["pm25"]! >= 0)
        #expect(r.metrics["pm10"]! >= r.metrics["pm25"]!)
    }
}

@Test func voltageStaysNear230() throws {
    let voltages = try readings(twoDays).compactMap { $0.metrics["power.voltage"] }
    #expect(!voltages.isEmpty)
    #expect(voltages.allSatisfy { (215...245).contains($0) })
}

@Test func valuesHaveAtMostThreeDecimals() throws {
    let records = parseCapture(try capture(configuration(durationMs: 600_000))).compactMap { $0 }
    for record in records {
        let text = String(decoding: record.payload, as: UTF8.self)
        #expect(text.firstMatch(of: /\d\.\d{4}/) == nil, "\(text)")
    }
}

@Test func afternoonIsWarmerThanNight() throws {
    var afternoon: [Double] = [], night: [Double] = []
    for r in try readings(twoDays) {
        guard let t = r.metrics["temperature"] else { continue }
        switch localHour(r.tsMs) {
        case 14, 15: afternoon.append(t)
        case 4, 5: night.append(t)
        default: break
        }
    }
    let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(xs.count) }
    #expect(mean(afternoon) > mean(night) + 3)
}

@Test func particulatesPeakAtRushHours() throws {
    var rush: [Double] = [], midday: [Double] = []
    for r in try readings(twoDays) {
        guard let pm = r.metrics["pm25"] else { continue }
        switch localHour(r.tsMs) {
        case 7, 18: rush.append(pm)
        case 12, 13: midday.append(pm)
        default: break
        }
    }
    let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(xs.count) }
    #expect(mean(rush) > mean(midday) * 1.2)
}

@Test func factoriesDrawMoreCurrentInWorkingHours() throws {
    var working: [Double] = [], night: [Double] = []
    for r in try readings(twoDays) {  // a Tuesday and a Wednesday
        guard let current = r.metrics["power.current"] else { continue }
        switch localHour(r.tsMs) {
        case 9, 10, 14, 15: working.append(current)
        case 1, 2, 3: night.append(current)
        default: break
        }
    }
    let mean = { (xs: [Double]) in xs.reduce(0, +) / Double(xs.count) }
    #expect(mean(working) > 3 * mean(night))
}

@Test func waterLevelFollowsATide() throws {
    let levels = Dictionary(grouping: twoDaysRecords.compactMap(decodeWaterLevel), by: \.device)
    #expect(!levels.isEmpty)
    for (_, series) in levels {
        let values = series.map(\.level)
        #expect(values.allSatisfy { $0 >= 0 && $0 < 5 })
        #expect(values.max()! - values.min()! > 0.4)
    }
}

@Test func waterLevelPayloadIsABareNumberWithTwoDecimals() throws {
    let records = parseCapture(try capture(configuration(durationMs: 600_000))).compactMap { $0 }
    let gauges = records.filter { $0.topic.hasSuffix("/water_level") }
    #expect(!gauges.isEmpty)
    for record in gauges {
        let text = String(decoding: record.payload, as: UTF8.self)
        #expect(text.wholeMatch(of: /\d+\.\d\d/) != nil, "\(text)")
    }
}

@Test func signalsDoNotDependOnTheFaultRate() throws {
    // Messages without faults carry the same values whatever the fault rate.
    let clean = try generate(configuration(durationMs: 600_000)).messages
    let faulty = try generate(configuration(durationMs: 600_000, faultRate: 0.3)).messages
    let cleanWaterLevels = Set(clean.filter { $0.topic.hasSuffix("water_level") }.map { "\($0.deviceIndex) \($0.payload)" })
    let faultyWaterLevels = faulty.filter { $0.topic.hasSuffix("water_level") && $0.fault == nil }
    #expect(!faultyWaterLevels.isEmpty)
    #expect(faultyWaterLevels.allSatisfy { cleanWaterLevels.contains("\($0.deviceIndex) \($0.payload)") })
}
