/// What the broker answered (SUBACK) for one requested subscription.
///
/// `granted` is nil when the broker refused the filter (MQTT 3.1.1 return code 0x80, or an
/// MQTT 5 reason code ≥ 0x80); `refusalReason` then says why, as far as the broker told us.
///
/// Threading: a plain `Sendable` value.
package struct MQTTSubscriptionResult: Sendable, Hashable, CustomStringConvertible {
    package let topicFilter: String
    package let requested: MQTTQoS
    package let granted: MQTTQoS?
    package let refusalReason: String?

    package init(topicFilter: String, requested: MQTTQoS, granted: MQTTQoS?, refusalReason: String? = nil) {
        self.topicFilter = topicFilter
        self.requested = requested
        self.granted = granted
        self.refusalReason = refusalReason
    }

    package var isRefused: Bool { granted == nil }

    package var description: String {
        if let granted {
            return "'\(topicFilter)' granted \(granted)" + (granted != requested ? " (asked for \(requested))" : "")
        }
        return "'\(topicFilter)' REFUSED: \(refusalReason ?? "no reason given")"
    }
}
