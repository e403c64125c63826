/// One received PUBLISH, as libmosquitto holds it: borrowed bytes, no copies.
///
/// Invariants and lifetime: `topic` and `payload` point into libmosquitto's own message
/// buffer and are valid **only during the message handler call**. Copy what you need to keep
/// before returning; never store the view or its buffers, and never hand them to another
/// thread or task. (The type is deliberately not `Sendable`.)
///
/// `topic` holds the topic's UTF-8 bytes without the terminating NUL. `payload` may be empty
/// (its `baseAddress` may then be nil) and may hold any bytes, not only UTF-8.
///
/// Threading: the handler receiving it runs on libmosquitto's network thread.
package struct MQTTMessageView {
    package let topic: UnsafeRawBufferPointer
    package let payload: UnsafeRawBufferPointer
    package let qos: MQTTQoS
    package let retain: Bool
    /// The packet identifier (0 for QoS 0).
    package let messageID: Int32

    /// Made only by the client, from libmosquitto's message.
    init(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, qos: MQTTQoS, retain: Bool, messageID: Int32
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.messageID = messageID
    }

    /// The topic as a `String` — this allocates; hot paths should work on `topic` directly.
    package var topicString: String { String(decoding: topic, as: UTF8.self) }
}
