internal import CMosquitto
import Logging
import Synchronization

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Publishing, and knowing when the broker has everything (`PublishTracker`).
extension MQTTClient {
    /// QoS ≥ 1 messages handed to `publish` and not yet acknowledged by the broker.
    package var inFlightCount: Int { publishes.withLock { $0.inFlightCount } }

    /// Hands a message to libmosquitto and returns its message id; QoS ≥ 1 messages count as
    /// in flight until the broker acknowledges them (see `waitForPublished(timeout:)`).
    /// QoS ≥ 1 messages published while disconnected are queued and sent after reconnecting;
    /// QoS 0 messages then fail with `.publishFailed`.
    @discardableResult
    package func publish(
        topic: String, payload: UnsafeRawBufferPointer, qos: MQTTQoS = .atLeastOnce, retain: Bool = false
    ) throws(MQTTError) -> Int32 {
        guard payload.count <= Int(Int32.max) else {
            throw .publishFailed(topic: topic, reason: "payload of \(payload.count) bytes is too large")
        }
        var messageID: Int32 = 0
        let rc: Int32? = handle.withLock { mosq in
            guard let mosq else { return nil }
            return mosquitto_publish(
                mosq.pointer, &messageID, topic, Int32(payload.count), payload.baseAddress, qos.cValue, retain)
        }
        guard let rc else { throw .stopped }
        guard rc == MosquittoLibrary.success else {
            throw .publishFailed(topic: topic, reason: publishFailureText(rc, topic: topic))
        }
        publishes.withLock { $0.handedOver(messageID: messageID, qos: qos) }
        return messageID
    }

    /// `publish` for a byte array.
    @discardableResult
    package func publish(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = false)
        throws(MQTTError) -> Int32
    {
        let result: Result<Int32, MQTTError> = payload.withUnsafeBytes { bytes in
            Result { () throws(MQTTError) -> Int32 in
                try publish(topic: topic, payload: bytes, qos: qos, retain: retain)
            }
        }
        return try result.get()
    }

    /// `publish` for a text payload (sent as its UTF-8 bytes).
    @discardableResult
    package func publish(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false)
        throws(MQTTError) -> Int32
    {
        try publish(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
    }

    /// Returns once every QoS ≥ 1 message published so far has been acknowledged (PUBACK /
    /// PUBCOMP); throws `.publishTimeout(pending:)` after `timeout`, `.stopped` if the client
    /// stops first, `.cancelled` if the task is cancelled.
    ///
    /// Woken by the acknowledgement that leaves nothing in flight (registered under the
    /// `publishes` lock) or by `stop()` finishing (under the state lock); each registration is
    /// made together with the check of its event, so neither is missed.
    package func waitForPublished(timeout: Duration) async throws(MQTTError) {
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while true {
            let wakeup = Wakeup()
            let pending = publishes.withLock { $0.wakeWhenNothingInFlight(wakeup) }
            if pending == 0 { return }
            defer { publishes.withLock { $0.forget(wakeup) } }
            guard state.withLock({ $0.register(wakeup, for: .stopped) }) else { throw .stopped }
            defer { state.withLock { $0.unregister(wakeup, for: .stopped) } }
            if timedOut || ContinuousClock.now >= deadline { throw .publishTimeout(pending: pending) }
            if Task.isCancelled { throw .cancelled }
            // Woken, timed out or cancelled: the next round tells which, in the order above.
            timedOut = await wakeup.wait(until: deadline) == .timedOut
        }
    }

    /// libmosquitto's publish callback (network thread): the broker acknowledged a QoS ≥ 1
    /// message, or a QoS 0 message was written.
    func handlePublished(messageID: Int32, reasonCode: Int32) {
        let drained = publishes.withLock { $0.completed(messageID: messageID) }
        for wakeup in drained { wakeup.fire() }
        if reasonCode >= 0x80 {
            logger.error("broker rejected published message \(messageID): \(MosquittoLibrary.reasonText(reasonCode))")
        }
    }

    private func publishFailureText(_ rc: Int32, topic: String) -> String {
        switch rc {
        case Int32(MOSQ_ERR_NO_CONN.rawValue):
            return "not connected to the broker (QoS 0 messages are not queued while offline)"
        case Int32(MOSQ_ERR_INVAL.rawValue):
            if topic.isEmpty || mosquitto_pub_topic_check(topic) != MosquittoLibrary.success {
                return "'\(topic)' is not a valid topic to publish to (empty, or contains '+' or '#')"
            }
            return MosquittoLibrary.errorText(rc, errorNumber: errno)
        default:
            return MosquittoLibrary.errorText(rc, errorNumber: errno)
        }
    }
}
