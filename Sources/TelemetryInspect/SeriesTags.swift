/// The identity of one series: the `(site, device, metric)` tags of a rollup.
///
/// Ordering is lexicographic by site, then device, then metric — the order `query`, `series`
/// and `tail` use after the window start. Tag values are stored exactly as read (they may
/// contain any Unicode, including control characters in hostile cases); sanitise them with
/// ``TerminalSafeText`` before showing them on a terminal.
///
/// Threading: an immutable value type; safe to share.
public struct SeriesTags: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let site: String
    public let device: String
    public let metric: String

    public init(site: String, device: String, metric: String) {
        self.site = site
        self.device = device
        self.metric = metric
    }

    public static func < (a: SeriesTags, b: SeriesTags) -> Bool {
        if a.site != b.site { return a.site < b.site }
        if a.device != b.device { return a.device < b.device }
        return a.metric < b.metric
    }

    /// `site/device/metric`, raw (not sanitised).
    public var description: String { "\(site)/\(device)/\(metric)" }
}
