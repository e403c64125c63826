/// One simulated sensor: its identity, where it publishes, and its publishing schedule.
///
/// Invariants: `id` is `<kind prefix>-<site>-<NNN>` in lowercase ASCII (e.g.
/// `aq-hanoi-001`), unique in its fleet; `topic` is `vn/<site>/<id>/<kind.topicLeaf>`;
/// `0 <= phaseMs < interval`; `firstSeq` is `nil` exactly for value-format devices.
/// The device publishes at `start + phaseMs + k × interval` for `k = 0, 1, …`.
/// Threading: an immutable value; `Sendable`.
package struct Device: Sendable, Hashable, Identifiable {
    /// Position in `Fleet.devices`.
    package let index: Int
    /// The device id, as it appears in topics.
    package let id: String
    package let kind: DeviceKind
    package let site: Site
    /// The topic its readings are published on.
    package let topic: String
    /// Offset of its publish times within the interval, in milliseconds.
    package let phaseMs: Int64
    /// The `seq` of its first message (JSON devices only).
    package let firstSeq: Int64?

    package init(index: Int, id: String, kind: DeviceKind, site: Site, phaseMs: Int64, firstSeq: Int64?) {
        self.index = index
        self.id = id
        self.kind = kind
        self.site = site
        self.topic = "vn/\(site.rawValue)/\(id)/\(kind.topicLeaf)"
        self.phaseMs = phaseMs
        self.firstSeq = kind.isValueFormat ? nil : firstSeq
    }
}
