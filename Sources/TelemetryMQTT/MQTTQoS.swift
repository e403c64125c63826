/// MQTT quality of service for a subscription or a publish.
///
/// `atLeastOnce` (1) is what telemetry ingestion wants: the broker keeps a message until we
/// acknowledge it, and `MQTTClient` acknowledges only after the message handler returned.
///
/// Threading: a plain `Sendable` value.
package enum MQTTQoS: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case atMostOnce = 0
    case atLeastOnce = 1
    case exactlyOnce = 2

    var cValue: Int32 { Int32(rawValue) }

    package var description: String { "QoS \(rawValue)" }
}
