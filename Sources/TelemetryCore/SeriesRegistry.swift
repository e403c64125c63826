import Synchronization

/// The process-wide table that gives each series and each device a dense integer id.
///
/// Ingest threads ask it only the first time they meet a series (their `SeriesKeyCache`
/// answers afterwards), and the aggregator reads names only when it writes rollups, so the
/// mutex it uses is never on the per-reading path.
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
        var seriesIDs: [SeriesKey: SeriesID] = [:]
        var keys: [SeriesKey] = []
        var deviceOfSeries: [DeviceID] = []
        var deviceIDs: [DeviceKey: DeviceID] = [:]
        var devices: [DeviceKey] = []
    }

    private let state = Mutex(State())
    /// The most series this registry will hold; further new series are refused.
    public let limit: Int

    public init(limit: Int = 1_000_000) {
        self.limit = limit
    }

    /// The ids of a series and of its device, registering them if new; `nil` when the
    /// series is new and the limit is reached.
    public func register(_ key: SeriesKey) -> (series: SeriesID, device: DeviceID)? {
        state.withLock { s in
            if let id = s.seriesIDs[key] { return (id, s.deviceOfSeries[Int(id)]) }
            guard s.keys.count < limit else { return nil }
            let dk = DeviceKey(site: key.site, device: key.device)
            let device: DeviceID
            if let d = s.deviceIDs[dk] {
                device = d
            } else {
                device = DeviceID(s.devices.count)
                s.devices.append(dk)
                s.deviceIDs[dk] = device
            }
            let id = SeriesID(s.keys.count)
            s.keys.append(key)
            s.deviceOfSeries.append(device)
            s.seriesIDs[key] = id
            return (id, device)
        }
    }

    /// The id of a device, registering it if new (used when restoring seq state).
    public func registerDevice(site: String, device: String) -> DeviceID {
        state.withLock { s in
            let dk = DeviceKey(site: site, device: device)
            if let d = s.deviceIDs[dk] { return d }
            let d = DeviceID(s.devices.count)
            s.devices.append(dk)
            s.deviceIDs[dk] = d
            return d
        }
    }

    /// The id of a device that is already registered; `nil` when it is not. Never registers
    /// (used to attribute a rejected message to the device that sent it).
    public func deviceID(site: String, device: String) -> DeviceID? {
        state.withLock { $0.deviceIDs[DeviceKey(site: site, device: device)] }
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

    /// The (site, device) of a device id.
    public func device(_ id: DeviceID) -> (site: String, device: String) {
        state.withLock { s in (s.devices[Int(id)].site, s.devices[Int(id)].device) }
    }
}
