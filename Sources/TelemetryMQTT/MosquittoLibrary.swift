internal import CMosquitto

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Process-wide libmosquitto state, and the translation of its numeric codes into text a
/// person can act on.
///
/// Invariants: `mosquitto_lib_init()` runs exactly once per process, before the first
/// `mosquitto_new` (`MQTTClient.init` calls `ensureInitialized()`). It is not thread-safe in
/// libmosquitto, so it runs inside a Swift lazy global initialiser, which the runtime
/// guarantees to execute once even when several threads race to it. `mosquitto_lib_cleanup()`
/// is never called: clients may live until the process exits.
///
/// Threading: every member can be called from any thread.
enum MosquittoLibrary {
    private static let initialization: Int32 = mosquitto_lib_init()

    /// Runs `mosquitto_lib_init()` if this process has not done so yet.
    static func ensureInitialized() {
        _ = initialization
    }

    // MARK: - Codes to text

    static let success = Int32(MOSQ_ERR_SUCCESS.rawValue)

    /// Text for a `MOSQ_ERR_*` return code. `errorNumber` is the `errno` captured right after
    /// the failing call; it explains `MOSQ_ERR_ERRNO` (a system call failed) and
    /// `MOSQ_ERR_EAI` (host name lookup failed; libmosquitto stores the `getaddrinfo` code in
    /// `errno`).
    static func errorText(_ code: Int32, errorNumber: Int32) -> String {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) {
            return String(cString: strerror(errorNumber))
        }
        if code == Int32(MOSQ_ERR_EAI.rawValue) {
            return "host name lookup failed: \(String(cString: gai_strerror(errorNumber)))"
        }
        return trimmed(String(cString: mosquitto_strerror(code)))
    }

    /// Text for a CONNACK code that refused the connection. MQTT 3.1.1 codes (1…5) use
    /// `mosquitto_connack_string`, MQTT 5 reason codes (≥ 0x80) use `mosquitto_reason_string`;
    /// the codes that mean "your credentials are wrong" get a hint saying so.
    static func refusalText(_ code: Int32, isVersion5: Bool) -> String {
        var text: String
        if isVersion5 {
            text = trimmed(String(cString: mosquitto_reason_string(code)))
        } else {
            text = trimmed(String(cString: mosquitto_connack_string(code)))
            let prefix = "Connection Refused: "
            if text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        }
        switch (isVersion5, code) {
        case (false, 4), (false, 5), (true, 0x86), (true, 0x87):
            text += " (bad username or password, or this client is not allowed to connect)"
        case (false, 2), (true, 0x85):
            text += " (the broker rejected the client id)"
        case (false, 1), (true, 0x84):
            text += " (the broker does not speak this MQTT protocol version)"
        default:
            break
        }
        return "\(text) [code \(code)]"
    }

    /// Text for an MQTT 5 reason code (SUBACK, PUBACK, DISCONNECT).
    static func reasonText(_ code: Int32) -> String {
        trimmed(String(cString: mosquitto_reason_string(code)))
    }

    private static func trimmed(_ text: String) -> String {
        var text = text
        while text.last == "." || text.last == " " { text.removeLast() }
        return text
    }
}
