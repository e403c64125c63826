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
public struct MQTTTLSConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Which certificate authorities may sign the broker's certificate.
    public enum TrustRoots: Sendable, Hashable {
        /// A PEM file with one or more CA certificates.
        case caFile(String)
        /// A directory of PEM CA certificates named by hash (`openssl rehash`).
        case caDirectory(String)
        /// The operating system's default trust store.
        case system
    }

    /// A certificate (PEM) and its unencrypted private key (PEM) for mutual TLS.
    public struct ClientCertificate: Sendable, Hashable {
        public var certificateFile: String
        public var privateKeyFile: String

        public init(certificateFile: String, privateKeyFile: String) {
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
        }
    }

    public var trustRoots: TrustRoots
    public var clientCertificate: ClientCertificate?

    public init(trustRoots: TrustRoots, clientCertificate: ClientCertificate? = nil) {
        self.trustRoots = trustRoots
        self.clientCertificate = clientCertificate
    }

    public var description: String {
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
