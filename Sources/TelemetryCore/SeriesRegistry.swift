import Synchronization

/// The process-wide table that gives each series and each device a dense integer id.
///
/// Ingest threads ask it only the first time they meet a series (their `SeriesKeyCache`
/// answers afterwards), and the aggregator reads names only when it writes rollups, so the
/// mutex it uses is never on the per-reading path.
///
/// Each name is held once: a series is its metric and its device's id (the site and device
/// names are held per device), in id order; the lookup from key to id is a `DenseIDIndex`
/// into them (about 16–32 bytes a series, where a dictionary of keys cost about 130 more).
/// Readers that need names by id (the aggregator, writing rollups) borrow them
/// (`withKeys`) instead of keeping a copy.
///
/// Invariants: ids are handed out densely from 0 and never reused or changed; at most
/// `limit` series exist.
/// Threading: `Sendable`; every method may be called from any thread (state behind a `Mutex`).
public final class SeriesRegistry: Sendable {
    fileprivate struct DeviceKey: Hashable {
        var site: String
        var device: String
    }

    /// The names of the series by id, lent under the registry's lock (`withKeys`).
    public struct Names {
        fileprivate let metrics: [String]
        fileprivate let deviceOfSeries: [DeviceID]
        fileprivate let devices: [DeviceKey]

        /// Number of series.
        public var count: Int { metrics.count }

        /// The key of series `id` (`id < count`).
        public subscript(id: SeriesID) -> SeriesKey {
            let d = devices[Int(deviceOfSeries[Int(id)])]
            return SeriesKey(site: d.site, device: d.device, metric: metrics[Int(id)])
        }
    }

    private struct State {
        /// Per series: its metric, and (in `deviceOfSeries`) its device.
        var metrics: [String] = []
        var seriesIndex = DenseIDIndex()
        var deviceOfSeries: [DeviceID] = []
        var devices: [DeviceKey] = []
        var deviceIndex = DenseIDIndex()

        var names: Names { Names(metrics: metrics, deviceOfSeries: deviceOfSeries, devices: devices) }

        func seriesID(_ key: SeriesKey, hash: Int) -> SeriesID? {
            seriesIndex.find(hash: hash) { id in
                guard metrics[Int(id)] == key.metric else { return false }
                let d = devices[Int(deviceOfSeries[Int(id)])]
                return d.device == key.device && d.site == key.site
            }
        }

        func deviceID(_ key: DeviceKey, hash: Int) -> DeviceID? {
            deviceIndex.find(hash: hash) { devices[Int($0)] == key }
        }

        /// The id of a device, registering it if new.
        mutating func registerDevice(_ key: DeviceKey) -> DeviceID {
            let hash = key.hashValue
            if let d = deviceID(key, hash: hash) { return d }
            let d = DeviceID(devices.count)
            devices.append(key)
            deviceIndex.insert(d, hash: hash)
            return d
        }
    }

    private let state = Mutex(State())
    /// The most series this registry will hold; further new series are refused.
    public let limit: Int

    public init(limit: Int = 1_000_000) {
        self.limit = limit
        // Address space for the metrics of `limit` series (up to 2^20): its pages are touched
        // only as series come, and the table is never copied into a larger one.
        state.withLock { $0.metrics.reserveCapacity(Swift.min(limit, 1 << 20)) }
    }

    /// The ids of a series and of its device, registering them if new; `nil` when the
    /// series is new and the limit is reached.
    public func register(_ key: SeriesKey) -> (series: SeriesID, device: DeviceID)? {
        let hash = key.hashValue
        return state.withLock { s in
            if let id = s.seriesID(key, hash: hash) { return (id, s.deviceOfSeries[Int(id)]) }
            guard s.metrics.count < limit else { return nil }
            let device = s.registerDevice(DeviceKey(site: key.site, device: key.device))
            let id = SeriesID(s.metrics.count)
            // Grown by a quarter, not doubled: held for every series.
            if s.metrics.count == s.metrics.capacity {
                s.metrics.reserveCapacity(Swift.max(64, s.metrics.count + s.metrics.count / 4))
            }
            s.metrics.append(key.metric)
            s.deviceOfSeries.append(device)
            s.seriesIndex.insert(id, hash: hash)
            return (id, device)
        }
    }

    /// The id of a device, registering it if new (used when restoring seq state).
    public func registerDevice(site: String, device: String) -> DeviceID {
        state.withLock { $0.registerDevice(DeviceKey(site: site, device: device)) }
    }

    /// The id of a device that is already registered; `nil` when it is not. Never registers
    /// (used to attribute a rejected message to the device that sent it).
    public func deviceID(site: String, device: String) -> DeviceID? {
        let key = DeviceKey(site: site, device: device)
        let hash = key.hashValue
        return state.withLock { $0.deviceID(key, hash: hash) }
    }

    /// Number of series registered so far.
    public var seriesCount: Int { state.withLock { $0.metrics.count } }

    /// Number of devices registered so far.
    public var deviceCount: Int { state.withLock { $0.devices.count } }

    /// The keys of series `start…` (for a reader that mirrors the table incrementally).
    public func keys(from start: Int) -> [SeriesKey] {
        state.withLock { s in
            let names = s.names
            return start < names.count ? (start..<names.count).map { names[SeriesID($0)] } : []
        }
    }

    /// The keys and device ids of series `start…` (for a reader that mirrors the table).
    public func entries(from start: Int) -> [(key: SeriesKey, device: DeviceID)] {
        state.withLock { s in
            let names = s.names
            return start < names.count ? (start..<names.count).map { (names[SeriesID($0)], s.deviceOfSeries[$0]) } : []
        }
    }

    /// The device ids of series `start…`, in series order (for a reader that mirrors the table).
    public func devicesOfSeries(from start: Int) -> [DeviceID] {
        state.withLock { s in start < s.deviceOfSeries.count ? Array(s.deviceOfSeries[start...]) : [] }
    }

    /// The key of a registered series.
    public func key(of id: SeriesID) -> SeriesKey {
        state.withLock { $0.names[id] }
    }

    /// Runs `body` with the names of all series so far, by id (under the lock: keep it
    /// short; it must not call back into the registry).
    public func withKeys(_ body: (Names) -> Void) {
        state.withLock { body($0.names) }
    }

    /// The (site, device) of a device id.
    public func device(_ id: DeviceID) -> (site: String, device: String) {
        state.withLock { s in (s.devices[Int(id)].site, s.devices[Int(id)].device) }
    }
}
