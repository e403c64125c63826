import Synchronization

/// The process-wide table that gives each series and each device a dense integer id.
///
/// Ingest threads ask it only the first time they meet a series (their `SeriesKeyCache`
/// answers afterwards), and the aggregator reads names only when it writes rollups, so the
/// mutex it uses is never on the per-reading path.
///
/// Each key is held once, in the id-ordered table; the lookup from key to id is a
/// `DenseIDIndex` into it (about 16–32 bytes a series, where a dictionary of keys cost about
/// 130 more). Readers that need names by id (the aggregator, writing rollups) borrow the table
/// (`withKeys`) instead of keeping a copy.
///
/// Invariants: ids are handed out densely from 0 and never reused or changed; at most
/// `limit` series exist.
/// Threading: `Sendable`; every method may be called from any thread (state behind a `Mutex`).
public final class SeriesRegistry: Sendable {
    private struct DeviceKey: Hashable {
        var site: String
        var device: String
    }

    private struct State {
        var keys: [SeriesKey] = []
        var seriesIndex = DenseIDIndex()
        var deviceOfSeries: [DeviceID] = []
        var devices: [DeviceKey] = []
        var deviceIndex = DenseIDIndex()

        func seriesID(_ key: SeriesKey, hash: Int) -> SeriesID? {
            seriesIndex.find(hash: hash) { keys[Int($0)] == key }
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
        // Address space for the keys of `limit` series (up to 2^20): its pages are touched
        // only as series come, and the table is never copied into a larger one.
        state.withLock { $0.keys.reserveCapacity(Swift.min(limit, 1 << 20)) }
    }

    /// The ids of a series and of its device, registering them if new; `nil` when the
    /// series is new and the limit is reached.
    public func register(_ key: SeriesKey) -> (series: SeriesID, device: DeviceID)? {
        let hash = key.hashValue
        return state.withLock { s in
            if let id = s.seriesID(key, hash: hash) { return (id, s.deviceOfSeries[Int(id)]) }
            guard s.keys.count < limit else { return nil }
            let device = s.registerDevice(DeviceKey(site: key.site, device: key.device))
            let id = SeriesID(s.keys.count)
            // Grown by a quarter, not doubled: a key is 48 bytes, held for every series.
            if s.keys.count == s.keys.capacity { s.keys.reserveCapacity(Swift.max(64, s.keys.count + s.keys.count / 4)) }
            s.keys.append(key)
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
    public var seriesCount: Int { state.withLock { $0.keys.count } }

    /// Number of devices registered so far.
    public var deviceCount: Int { state.withLock { $0.devices.count } }

    /// The keys of series `start…` (for a reader that mirrors the table incrementally).
    public func keys(from start: Int) -> [SeriesKey] {
        state.withLock { s in start < s.keys.count ? Array(s.keys[start...]) : [] }
    }

    /// The keys and device ids of series `start…` (for a reader that mirrors the table).
    public func entries(from start: Int) -> [(key: SeriesKey, device: DeviceID)] {
        state.withLock { s in
            start < s.keys.count ? (start..<s.keys.count).map { (s.keys[$0], s.deviceOfSeries[$0]) } : []
        }
    }

    /// The device ids of series `start…`, in series order (for a reader that mirrors the table).
    public func devicesOfSeries(from start: Int) -> [DeviceID] {
        state.withLock { s in start < s.deviceOfSeries.count ? Array(s.deviceOfSeries[start...]) : [] }
    }

    /// The key of a registered series.
    public func key(of id: SeriesID) -> SeriesKey {
        state.withLock { $0.keys[Int(id)] }
    }

    /// Runs `body` with the keys of all series so far, by id (under the lock: keep it short;
    /// it must not call back into the registry).
    public func withKeys(_ body: ([SeriesKey]) -> Void) {
        state.withLock { body($0.keys) }
    }

    /// The (site, device) of a device id.
    public func device(_ id: DeviceID) -> (site: String, device: String) {
        state.withLock { s in (s.devices[Int(id)].site, s.devices[Int(id)].device) }
    }
}
