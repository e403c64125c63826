/// The layout of telemetryd's data directory.
///
/// ```
/// <root>/rollups/<window>/<YYYY-MM-DD>/<HH>.jsonl|csv   rollups, by UTC window start
/// <root>/deadletter/<YYYY-MM-DD>.jsonl                 rejected messages
/// <root>/status.json                                   counters, rewritten atomically
/// <root>/state/                                        checkpoints
/// ```
/// Threading: an immutable value.
public struct DataDirectory: Sendable, Equatable {
    public let root: String

    public init(_ root: String) {
        var r = root
        while r.count > 1, r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    public var rollups: String { root + "/rollups" }
    public var deadLetters: String { root + "/deadletter" }
    public var status: String { root + "/status.json" }
    public var state: String { root + "/state" }

    /// Directory of one window size and UTC day.
    public func rollupDay(window: String, day: String) -> String { "\(rollups)/\(window)/\(day)" }
}
