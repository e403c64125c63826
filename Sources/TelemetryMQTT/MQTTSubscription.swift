/// One topic filter the client subscribes to on every successful connect, with the QoS it asks
/// the broker for.
///
/// Invariant (checked by `MQTTClientConfiguration.validate()`): `topicFilter` is a valid MQTT
/// filter — non-empty, `+` and `#` only as whole levels, `#` only last.
///
/// Threading: a plain `Sendable` value.
package struct MQTTSubscription: Sendable, Hashable, CustomStringConvertible {
    package var topicFilter: String
    package var qos: MQTTQoS

    package init(_ topicFilter: String, qos: MQTTQoS = .atLeastOnce) {
        self.topicFilter = topicFilter
        self.qos = qos
    }

    package var description: String { "'\(topicFilter)' (\(qos))" }
}
