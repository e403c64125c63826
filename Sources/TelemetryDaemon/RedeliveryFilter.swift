/// Recognises the messages a broker sends again after a crash. A QoS 1 message whose PUBACK
/// died with the process is resent with its original packet id (`mid`), and it is already
/// in the write-ahead log: the filter holds, for one connection, the (mid, digest of topic
/// and payload) of the last records the log holds for it, and a new message that matches
/// one is a redelivery — dropped before it is logged or counted. This covers messages
/// without a `seq` (the per-device seq map catches those with one).
///
/// Invariants: an entry matches at most once; the filter stops looking after
/// `horizon` messages (a broker resends its in-flight window first, and mids are not
/// reused until 65,535 newer ones), so it cannot mistake a new message for an old one.
/// QoS 0 messages (mid 0) never match.
///
/// Threading: not `Sendable`; owned by the connection's producer.
struct RedeliveryFilter {
    private var pending: [Int32: [UInt64]] = [:]
    private var remaining: Int

    /// How many messages after a restart may still be redeliveries.
    static let horizon = 4_096

    init(entries: [(mid: Int32, digest: UInt64)]) {
        for e in entries where e.mid != 0 { pending[e.mid, default: []].append(e.digest) }
        remaining = pending.isEmpty ? 0 : Self.horizon
    }

    var isActive: Bool { remaining > 0 }

    /// Whether this message is one the log already holds (and so must not be taken again).
    mutating func isRedelivery(mid: Int32, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        guard mid != 0, var digests = pending[mid] else { return false }
        let d = Self.digest(topic: topic, payload: payload)
        guard let i = digests.firstIndex(of: d) else { return false }
        digests.remove(at: i)
        pending[mid] = digests.isEmpty ? nil : digests
        if pending.isEmpty { remaining = 0 }
        return true
    }

    /// 64-bit FNV-1a of topic, a NUL, and payload.
    static func digest(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in topic { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        h = (h ^ 0) &* 0x0000_0100_0000_01b3
        for b in payload { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
