/// How to secure the broker connection with TLS (`mqtts://`).
///
/// Invariants: the broker certificate is always verified against `trustRoots`, and its host
/// name is always checked against the host we connect to (libmosquitto checks the
/// certificate's subjectAltName DNS/IP entries and CN). There is deliberately no switch to turn
/// either off: `MQTTClient` never calls `mosquitto_tls_insecure_set(true)` nor
/// `SSL_VERIFY_NONE`. The private key must not be encrypted (the client refuses rather than
/// prompting on a terminal).
///
/// A client certificate needs a CA file or directory (`.system` cannot be combined with one,
/// a limit of libmosquitto's `mosquitto_tls_set`).
///
/// Threading: a plain `Sendable` value.
package struct MQTTTLSConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Which certificate authorities may sign the broker's certificate.
    package enum TrustRoots: Sendable, Hashable {
        /// A PEM file with one or more CA certificates.
        case caFile(String)
        /// A directory of PEM CA certificates named by hash (`openssl rehash`).
        case caDirectory(String)
        /// The operating system's default trust store.
        case system
    }

    /// A certificate (PEM) and its unencrypted private key (PEM) for mutual TLS.
    package struct ClientCertificate: Sendable, Hashable {
        package var certificateFile: String
        package var privateKeyFile: String

        package init(certificateFile: String, privateKeyFile: String) {
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
        }
    }

    package var trustRoots: TrustRoots
    package var clientCertificate: ClientCertificate?

    package init(trustRoots: TrustRoots, clientCertificate: ClientCertificate? = nil) {
        self.trustRoots = trustRoots
        self.clientCertificate = clientCertificate
    }

    package var description: String {
        let roots: String
        switch trustRoots {
        case .caFile(let path): roots = "CA file \(path)"
        case .caDirectory(let path): roots = "CA directory \(path)"
        case .system: roots = "system trust store"
        }
        if let clientCertificate {
            return "TLS (\(roots), client certificate \(clientCertificate.certificateFile))"
        }
        return "TLS (\(roots))"
    }
}
