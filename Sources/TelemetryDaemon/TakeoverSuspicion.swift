/// Notices the pattern two clients with the same client id make: the broker accepts one and
/// drops the other, which reconnects and drops the first, about once a second. MQTT 5
/// brokers say so ("Session taken over"); MQTT 3.1.1 brokers just close the connection, so
/// the daemon tells it apart by connections lost soon after they were accepted.
///
/// Invariants: `disconnected` says "warn" once per streak of `threshold` quick losses; a
/// connection that lives `calm` resets the streak.
///
/// Threading: not `Sendable`; owned by one client's event task.
struct TakeoverSuspicion {
    /// A loss within this long after the connection was accepted counts as quick.
    static let quickMs: Int64 = 5_000
    static let threshold = 3
    private var connectedAtMs: Int64?
    private var quickLosses = 0
    private var warned = false

    mutating func connected(atMs now: Int64) { connectedAtMs = now }

    /// Records a lost connection; true when the daemon should now warn about a takeover.
    mutating func disconnected(atMs now: Int64) -> Bool {
        defer { connectedAtMs = nil }
        guard let since = connectedAtMs else { return false }
        if now - since > Self.quickMs {
            quickLosses = 0
            warned = false
            return false
        }
        quickLosses += 1
        guard quickLosses >= Self.threshold, !warned else { return false }
        warned = true
        return true
    }
}
