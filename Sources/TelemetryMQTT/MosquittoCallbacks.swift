internal import CMosquitto

/// The C callbacks registered with libmosquitto. Each one turns the `obj` user-data pointer
/// back into the `MQTTClient` (an `Unmanaged` reference the client holds retained for as long
/// as the libmosquitto handle exists) and forwards to it.
///
/// Threading: libmosquitto calls these on its network thread — except the log callback, which
/// runs on whichever thread calls into libmosquitto (also `MQTTClient`'s control queue during
/// a blocking connect, and a thread calling `publish`), holding libmosquitto's log mutex.
enum MosquittoCallbacks {
    static func install(on mosq: OpaquePointer) {
        mosquitto_connect_v5_callback_set(mosq) { mosq, obj, code, flags, _ in
            guard let mosq, let client = MQTTClient.fromUserData(obj) else { return }
            client.handleConnect(mosq, code: code, flags: flags)
        }
        mosquitto_disconnect_v5_callback_set(mosq) { mosq, obj, code, _ in
            guard let mosq, let client = MQTTClient.fromUserData(obj) else { return }
            client.handleDisconnect(mosq, code: code)
        }
        mosquitto_subscribe_v5_callback_set(mosq) { _, obj, mid, count, granted, _ in
            guard let client = MQTTClient.fromUserData(obj) else { return }
            client.handleSubscribe(
                messageID: mid, granted: UnsafeBufferPointer(start: granted, count: Int(max(count, 0))))
        }
        mosquitto_publish_v5_callback_set(mosq) { _, obj, mid, reasonCode, _ in
            guard let client = MQTTClient.fromUserData(obj) else { return }
            client.handlePublished(messageID: mid, reasonCode: reasonCode)
        }
        mosquitto_message_callback_set(mosq) { _, obj, message in
            guard let message, let client = MQTTClient.fromUserData(obj) else { return }
            client.handleMessage(message)
        }
    }

    static func installLog(on mosq: OpaquePointer) {
        mosquitto_log_callback_set(mosq) { _, obj, level, text in
            guard let text, let client = MQTTClient.fromUserData(obj) else { return }
            client.handleLog(level: level, text: text)
        }
    }

    static func removeLog(from mosq: OpaquePointer) {
        mosquitto_log_callback_set(mosq, nil)
    }

    /// Password callback for encrypted private keys: answers "no password" so OpenSSL fails
    /// with an error instead of prompting on the daemon's terminal.
    static let noKeyPassword:
        @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
            _, _, _, _ in 0
        }
}
