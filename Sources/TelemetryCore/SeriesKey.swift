/// The tags that name a series: where (site), which sensor (device), what (metric).
///
/// Invariant: every tag satisfies `TagRules` (checked when the key is made from input).
public struct SeriesKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var site: String
    public var device: String
    public var metric: String

    public init(site: String, device: String, metric: String) {
        self.site = site
        self.device = device
        self.metric = metric
    }

    public var description: String { "\(site)/\(device)/\(metric)" }

    public static func < (a: SeriesKey, b: SeriesKey) -> Bool {
        (a.site, a.device, a.metric) < (b.site, b.device, b.metric)
    }
}
