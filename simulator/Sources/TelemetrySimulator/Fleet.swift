/// The devices of a simulated fleet, laid out deterministically from a `FleetConfiguration`.
///
/// Kinds follow the fixed pattern air quality, power meter, water level, air quality,
/// power meter (repeating), so any 3 or more devices include all three kinds and 20 devices
/// are 8 + 8 + 4. Each kind takes its sites from `DeviceKind.siteRotation`, starting at a
/// seed-chosen offset, so 20 devices always cover at least 4 sites (the 8 air-quality
/// devices alone visit all 7). Devices are numbered per kind and site from 001. Each device
/// gets a seed-chosen publish phase within the interval and a first `seq` in 1…1000.
///
/// Invariants: `devices[i].index == i`; ids are unique.
/// Threading: an immutable value; `Sendable`.
package struct Fleet: Sendable, Hashable {
    package let configuration: FleetConfiguration
    package let devices: [Device]

    /// The kind of device `index`, by the fixed pattern.
    package static func kind(ofDevice index: Int) -> DeviceKind {
        let pattern: [DeviceKind] = [.airQuality, .powerMeter, .waterLevel, .airQuality, .powerMeter]
        return pattern[index % pattern.count]
    }

    /// Lays out the fleet; `configuration` should have passed `validate()`.
    package init(configuration: FleetConfiguration) {
        self.configuration = configuration
        var layout = Xoshiro256StarStar(seed: configuration.seed, stream: Self.layoutStream)
        var siteOffset: [DeviceKind: Int] = [:]
        for kind in DeviceKind.allCases {
            siteOffset[kind] = layout.nextIndex(kind.siteRotation.count)
        }
        var usedOfKind: [DeviceKind: Int] = [:]
        var numbers: [String: Int] = [:]
        var devices: [Device] = []
        devices.reserveCapacity(max(0, configuration.devices))
        for index in 0..<max(0, configuration.devices) {
            let kind = Self.kind(ofDevice: index)
            let rotation = kind.siteRotation
            let used = usedOfKind[kind, default: 0]
            usedOfKind[kind] = used + 1
            let site = rotation[(siteOffset[kind, default: 0] + used) % rotation.count]
            let prefix = "\(kind.rawValue)-\(site.rawValue)"
            let number = numbers[prefix, default: 0] + 1
            numbers[prefix] = number
            let digits = String(number)
            let id = prefix + "-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
            var rng = Xoshiro256StarStar(seed: configuration.seed, stream: Self.stream(device: index, purpose: 0))
            let phase = Int64(rng.nextInt(below: UInt64(max(1, configuration.intervalMs))))
            let firstSeq = 1 + Int64(rng.nextInt(below: 1_000))
            devices.append(Device(index: index, id: id, kind: kind, site: site, phaseMs: phase, firstSeq: firstSeq))
        }
        self.devices = devices
    }

    /// The sites that have at least one device, sorted.
    package var sites: [Site] { Array(Set(devices.map(\.site))).sorted() }

    static let layoutStream: UInt64 = 0xF1EE7

    /// Independent random streams per device: 0 layout, 1 signal, 2 faults, 3 network.
    static func stream(device: Int, purpose: UInt64) -> UInt64 {
        (UInt64(device) << 4 | purpose) &+ 0x1_0000_0000
    }
}
