import Testing
@testable import TelemetryCore

@Suite struct SeriesRegistryTests {
    @Test func aKeyGetsOneDenseIDForLifeAndItsDeviceID() {
        let registry = SeriesRegistry()
        var ids: [SeriesKey: (SeriesID, DeviceID)] = [:]
        for d in 0..<300 {
            for m in 0..<7 {
                let key = SeriesKey(site: "site-\(d % 3)", device: "a-rather-long-device-name-\(d)", metric: "m\(m)")
                let got = registry.register(key)!
                #expect(got.series == SeriesID(ids.count))
                ids[key] = got
            }
        }
        for (key, id) in ids {
            let again = registry.register(key)!
            #expect(again.series == id.0 && again.device == id.1)
            #expect(registry.key(of: id.0) == key)
            #expect(registry.deviceID(site: key.site, device: key.device) == id.1)
        }
        #expect(registry.seriesCount == 2_100 && registry.deviceCount == 300)
        #expect(registry.deviceID(site: "site-0", device: "nobody") == nil)
    }

    @Test func theSameDeviceNameAtAnotherSiteIsAnotherDevice() {
        let registry = SeriesRegistry()
        let a = registry.register(SeriesKey(site: "a", device: "d", metric: "m"))!
        let b = registry.register(SeriesKey(site: "b", device: "d", metric: "m"))!
        #expect(a.device != b.device && a.series != b.series)
        #expect(registry.registerDevice(site: "b", device: "d") == b.device)
    }

    @Test func noSeriesBeyondTheLimit() {
        let registry = SeriesRegistry(limit: 2)
        #expect(registry.register(SeriesKey(site: "s", device: "d", metric: "1")) != nil)
        #expect(registry.register(SeriesKey(site: "s", device: "d", metric: "2")) != nil)
        #expect(registry.register(SeriesKey(site: "s", device: "d", metric: "3")) == nil)
        #expect(registry.register(SeriesKey(site: "s", device: "d", metric: "1"))?.series == 0)
    }

    @Test func keysAndDevicesAreLentInIDOrder() {
        let registry = SeriesRegistry()
        let keys = (0..<5).map { SeriesKey(site: "s", device: "d\($0 % 2)", metric: "m\($0)") }
        let devices = keys.map { registry.register($0)!.device }
        var lent: [SeriesKey] = []
        registry.withKeys { names in lent = (0..<names.count).map { names[SeriesID($0)] } }
        #expect(lent == keys && registry.keys(from: 3) == Array(keys[3...]))
        #expect(registry.entries(from: 4).map(\.key) == [keys[4]] && registry.entries(from: 4).map(\.device) == [devices[4]])
        #expect(registry.devicesOfSeries(from: 2) == Array(devices[2...]))
        #expect(registry.devicesOfSeries(from: 5).isEmpty)
    }
}

@Suite struct DenseIDIndexTests {
    @Test func findsEveryInsertedIDEvenWhenHashesCollide() {
        var index = DenseIDIndex()
        let elements = (0..<10_000).map { $0 * 7 }
        // Only 64 distinct hashes: every lookup must tell colliding elements apart.
        for (id, e) in elements.enumerated() { index.insert(UInt32(id), hash: e % 64) }
        #expect(index.count == elements.count)
        for (id, e) in elements.enumerated() {
            #expect(index.find(hash: e % 64) { elements[Int($0)] == e } == UInt32(id))
        }
        #expect(index.find(hash: 3) { _ in false } == nil)
    }

    @Test func anEmptyIndexFindsNothing() {
        #expect(DenseIDIndex().find(hash: 0) { _ in true } == nil)
    }
}
