import Foundation
import Testing
import TelemetrySimulator

@Test func messageCountIsDevicesTimesDurationOverInterval() throws {
    let config = configuration(devices: 20, durationMs: 3_600_000, intervalMs: 10_000)
    let records = parseCapture(try capture(config))
    #expect(records.count == 20 * 360)
}

@Test func messageCountUsesWholeIntervalsOnly() throws {
    let config = configuration(devices: 7, durationMs: 95_000, intervalMs: 10_000)
    #expect(parseCapture(try capture(config)).count == 7 * 9)
}

@Test func defaultFleetHasAllKindsAndAtLeastFourSites() throws {
    for seed: UInt64 in [1, 2, 3, 99, 123_456_789] {
        let fleet = Fleet(configuration: configuration(devices: 20, seed: seed))
        #expect(Set(fleet.devices.map(\.kind)) == Set(DeviceKind.allCases))
        #expect(fleet.sites.count >= 4)
    }
}

@Test func captureOfDefaultFleetShowsAllKindsAndAtLeastFourSites() throws {
    let records = parseCapture(try capture(configuration(durationMs: 60_000))).compactMap { $0 }
    let prefixes = Set(records.map { String($0.topicSegments[2].prefix(2)) })
    #expect(prefixes == ["aq", "pm", "wl"])
    #expect(Set(records.map { $0.topicSegments[1] }).count >= 4)
}

@Test func deviceIdsAreLowercaseKindSiteNumber() {
    let fleet = Fleet(configuration: configuration(devices: 40))
    let pattern = /^(aq|pm|wl)-(hanoi|haiphong|danang|hcmc|dongnai|binhduong|cantho)-[0-9]{3}$/
    for device in fleet.devices {
        #expect(device.id.wholeMatch(of: pattern) != nil, "\(device.id)")
        #expect(device.id.hasPrefix(device.kind.rawValue + "-" + device.site.rawValue + "-"))
    }
    #expect(Set(fleet.devices.map(\.id)).count == 40)
}

@Test func topicsFollowTheTemplates() {
    for device in Fleet(configuration: configuration(devices: 20)).devices {
        let leaf = device.kind == .waterLevel ? "water_level" : "telemetry"
        #expect(device.topic == "vn/\(device.site.rawValue)/\(device.id)/\(leaf)")
    }
}

@Test func powerMetersAreMostlyInIndustrialParks() {
    let meters = Fleet(configuration: configuration(devices: 100)).devices.filter { $0.kind == .powerMeter }
    let inParks = meters.filter { $0.site == .dongnai || $0.site == .binhduong }
    #expect(inParks.count * 2 > meters.count)
}

@Test func waterLevelGaugesAreOnRivers() {
    let gauges = Fleet(configuration: configuration(devices: 100)).devices.filter { $0.kind == .waterLevel }
    #expect(!gauges.isEmpty)
    #expect(gauges.allSatisfy { [.danang, .cantho, .hcmc].contains($0.site) })
}

@Test func phasesLieWithinTheInterval() {
    let devices = Fleet(configuration: configuration(devices: 50, intervalMs: 10_000)).devices
    #expect(devices.allSatisfy { (0..<10_000).contains($0.phaseMs) })
    #expect(Set(devices.map(\.phaseMs)).count > 1)
}

@Test func eachDevicePublishesEveryIntervalAtItsPhase() throws {
    let config = configuration(devices: 20, durationMs: 600_000, intervalMs: 10_000)
    let fleet = Fleet(configuration: config)
    let readings = parseCapture(try capture(config)).compactMap { $0.flatMap(decodeJSONReading) }
    let byDevice = Dictionary(grouping: readings, by: \.device)
    for device in fleet.devices where device.kind != .waterLevel {
        let times = try #require(byDevice[device.id]).map(\.tsMs)
        #expect(times.first == config.startMs + device.phaseMs)
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 == 10_000 })
    }
}

@Test func invalidConfigurationsAreRefused() {
    let valid = configuration()
    var bad: [FleetConfiguration] = []
    var c = valid; c.devices = 0; bad.append(c)
    c = valid; c.intervalMs = 0; bad.append(c)
    c = valid; c.durationMs = -1; bad.append(c)
    c = valid; c.faultRate = 1.5; bad.append(c)
    c = valid; c.faultRate = .nan; bad.append(c)
    c = valid; c.startMs = 0; bad.append(c)
    for config in bad {
        #expect(throws: FleetConfiguration.Invalid.self) { try config.validate() }
    }
    #expect(throws: Never.self) { try valid.validate() }
}

/// telemetryd's default `ts_unit=auto` reads a numeric `ts` of 1e11 or more as milliseconds
/// (below, as seconds): from the earliest start on, every ms `ts` the fleet writes, the 2 h
/// late ones too, is at least that.
@Test func fromTheEarliestStartEveryTimestampIsOneAutoReadsAsMilliseconds() throws {
    let config = configuration(durationMs: 600_000, faultRate: 0.3, startMs: FleetConfiguration.minimumStartMs)
    try config.validate()
    let records = parseCapture(try capture(config)).compactMap { $0 }
    let readings = records.compactMap(decodeJSONReading)
    #expect(!readings.isEmpty)
    #expect(readings.contains { $0.tsMs < FleetConfiguration.minimumStartMs }, "no late fault in the sample")
    #expect(readings.allSatisfy { $0.tsMs >= 100_000_000_000 })
    #expect(throws: FleetConfiguration.Invalid.self) {
        try configuration(startMs: FleetConfiguration.minimumStartMs - 1).validate()
    }
}
