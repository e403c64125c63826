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
public struct MQTTMessageView {
    public let topic: UnsafeRawBufferPointer
    public let payload: UnsafeRawBufferPointer
    public let qos: MQTTQoS
    public let retain: Bool
    /// The packet identifier (0 for QoS 0).
    public let messageID: Int32

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
    public var topicString: String { String(decoding: topic, as: UTF8.self) }
}
