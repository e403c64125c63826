internal import CMosquitto

/// The MQTT 5 CONNECT properties the client sends (today only the session expiry interval of a
/// persistent session), as the `mosquitto_property` list `mosquitto_connect_bind_v5` copies.
///
/// Without a session expiry interval an MQTT 5 broker ends the session at disconnect even
/// with clean start off — so a "persistent" MQTT 5 session needs this list.
///
/// Invariants: built once; the list is freed in `deinit`. libmosquitto copies it on connect
/// and reuses its copy on every automatic reconnect. Empty (nil) for MQTT 3.1.1.
///
/// Threading: immutable after `init`; only read (on `MQTTClient`'s control queue).
final class ConnectProperties: @unchecked Sendable {
    private let list: OpaquePointer?

    init(_ configuration: MQTTClientConfiguration) throws(MQTTError) {
        var list: OpaquePointer?
        if configuration.protocolVersion == .v5 && configuration.session == .persistent {
            let rc = mosquitto_property_add_int32(
                &list, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), configuration.sessionExpirySeconds)
            if rc != MosquittoLibrary.success {
                mosquitto_property_free_all(&list)
                throw .library(
                    operation: "mosquitto_property_add_int32(session expiry)",
                    reason: MosquittoLibrary.errorText(rc, errorNumber: 0))
            }
        }
        self.list = list
    }

    func withList<R>(_ body: (OpaquePointer?) -> R) -> R { body(list) }

    deinit {
        var list = self.list
        mosquitto_property_free_all(&list)
    }
}
