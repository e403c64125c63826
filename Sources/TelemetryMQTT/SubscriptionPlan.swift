internal import CMosquitto

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The configured subscriptions, pre-built as the C string arrays
/// `mosquitto_subscribe_multiple` takes: one group (one SUBSCRIBE packet) per QoS level, so
/// re-subscribing after a connect allocates nothing but the SUBACK bookkeeping.
///
/// Invariants: built once, never mutated; a filter listed twice is kept once, with its highest
/// QoS. The C strings live exactly as long as the plan (freed in `deinit`); `MQTTClient` keeps
/// the plan alive for as long as libmosquitto can call back into it.
///
/// Threading: immutable after `init`, so any thread may read it (hence `@unchecked Sendable`:
/// the raw pointers are only read).
final class SubscriptionPlan: @unchecked Sendable {
    struct Group {
        let qos: MQTTQoS
        let filters: [String]
        let cFilters: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    }

    let groups: [Group]

    init(_ subscriptions: [MQTTSubscription]) {
        var highest: [String: MQTTQoS] = [:]
        var order: [String] = []
        for subscription in subscriptions {
            if let existing = highest[subscription.topicFilter] {
                if subscription.qos.rawValue > existing.rawValue {
                    highest[subscription.topicFilter] = subscription.qos
                }
            } else {
                highest[subscription.topicFilter] = subscription.qos
                order.append(subscription.topicFilter)
            }
        }
        var groups: [Group] = []
        for qos in MQTTQoS.allCases {
            let filters = order.filter { highest[$0] == qos }
            if filters.isEmpty { continue }
            let cFilters = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: filters.count)
            for (index, filter) in filters.enumerated() {
                cFilters[index] = strdup(filter)
            }
            groups.append(Group(qos: qos, filters: filters, cFilters: cFilters))
        }
        self.groups = groups
    }

    deinit {
        for group in groups {
            for index in group.filters.indices { free(group.cFilters[index]) }
            group.cFilters.deallocate()
        }
    }
}
