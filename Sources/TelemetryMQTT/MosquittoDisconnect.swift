internal import CMosquitto

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension MQTTConnectionStateMachine.Disconnect {
    /// Reads libmosquitto's disconnect callback: its `code` (a `MOSQ_ERR_*` code, or with MQTT 5
    /// the DISCONNECT reason code: 0 or ≥ 0x80 when the broker ended the connection) and the
    /// `errorNumber` (`errno`) it left behind.
    init(code: Int32, errorNumber: Int32, isVersion5: Bool, usesTLS: Bool) {
        let serverDisconnect = isVersion5 && (code == 0 || code >= 0x80)
        if serverDisconnect {
            reason = "the broker ended the connection: \(MosquittoLibrary.reasonText(code))"
        } else if code == 0 {
            reason = "disconnected on request"
        } else {
            reason = MosquittoLibrary.errorText(code, errorNumber: errorNumber)
        }
        isTLSLayerFailure = usesTLS && code == Int32(MOSQ_ERR_ERRNO.rawValue) && errorNumber == EPROTO
        endsNetworkThread = Self.networkThreadEnds(
            code: code, errorNumber: errorNumber, serverDisconnect: serverDisconnect)
    }

    /// Whether libmosquitto 2.0.11's `mosquitto_loop_forever` returns (ending the network
    /// thread) instead of reconnecting after this disconnect: after "fatal" return codes,
    /// after a TLS error (errno EPROTO), and when the state became "disconnected" (our request,
    /// or an MQTT 5 DISCONNECT from the broker).
    private static func networkThreadEnds(code: Int32, errorNumber: Int32, serverDisconnect: Bool) -> Bool {
        if serverDisconnect || code == 0 { return true }
        let fatal: [mosq_err_t] = [
            MOSQ_ERR_NOMEM, MOSQ_ERR_PROTOCOL, MOSQ_ERR_INVAL, MOSQ_ERR_NOT_FOUND, MOSQ_ERR_TLS,
            MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_NOT_SUPPORTED, MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED,
            MOSQ_ERR_UNKNOWN, MOSQ_ERR_EAI, MOSQ_ERR_PROXY,
        ]
        if fatal.contains(where: { Int32($0.rawValue) == code }) { return true }
        return code == Int32(MOSQ_ERR_ERRNO.rawValue) && errorNumber == EPROTO
    }
}
