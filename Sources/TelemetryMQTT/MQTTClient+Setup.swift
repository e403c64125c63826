internal import CMosquitto

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension MQTTClient {
    /// Applies `configuration` to a new libmosquitto handle: protocol version, credentials,
    /// TLS (the broker's certificate chain and host name are always verified) and
    /// libmosquitto's own reconnect backoff. Throws `.library` naming the step that failed.
    static func configure(_ mosq: OpaquePointer, with configuration: MQTTClientConfiguration) throws(MQTTError) {
        func check(_ rc: Int32, _ operation: String) throws(MQTTError) {
            guard rc == MosquittoLibrary.success else {
                throw .library(operation: operation, reason: MosquittoLibrary.errorText(rc, errorNumber: errno))
            }
        }
        try check(
            mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, configuration.protocolVersion.cValue),
            "setting the protocol version")
        if let credentials = configuration.credentials {
            try check(
                mosquitto_username_pw_set(mosq, credentials.username, credentials.password),
                "setting username and password")
        }
        if let tls = configuration.tls {
            let certificate = tls.clientCertificate?.certificateFile
            let key = tls.clientCertificate?.privateKeyFile
            switch tls.trustRoots {
            case .caFile(let path):
                try check(
                    mosquitto_tls_set(mosq, path, nil, certificate, key, MosquittoCallbacks.noKeyPassword),
                    "TLS set-up (CA file \(path))")
            case .caDirectory(let path):
                try check(
                    mosquitto_tls_set(mosq, nil, path, certificate, key, MosquittoCallbacks.noKeyPassword),
                    "TLS set-up (CA directory \(path))")
            case .system:
                try check(mosquitto_int_option(mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1), "TLS set-up (system trust store)")
            }
            // 1 = SSL_VERIFY_PEER: verify the broker's certificate chain (host name checking is
            // libmosquitto's default and is never switched off).
            try check(mosquitto_tls_opts_set(mosq, 1, nil, nil), "TLS set-up (peer verification)")
        }
        try check(
            mosquitto_reconnect_delay_set(
                mosq, wholeSeconds(configuration.reconnectDelayMin), wholeSeconds(configuration.reconnectDelayMax), true
            ),
            "setting the reconnect delay")
    }

    /// libmosquitto's reconnect delays are whole seconds: round up, at least 1.
    private static func wholeSeconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        return max(1, UInt32(clamping: seconds + (attoseconds > 0 ? 1 : 0)))
    }
}
