/// Where the Prometheus `/metrics` endpoint listens (`metrics.listen`): an IP literal and a
/// TCP port, e.g. `127.0.0.1:9464` or `[::1]:9464` (`localhost` means `127.0.0.1`).
///
/// The endpoint has no authentication, so it belongs on loopback or behind a proxy; a
/// non-loopback address is accepted (containers publish ports that way) but the README says
/// what it exposes.
///
/// Invariants: `host` is a dotted IPv4 literal or an IPv6 literal (without brackets);
/// `port` is 1…65535.
/// Threading: an immutable value.
package struct MetricsListenAddress: Sendable, Equatable, CustomStringConvertible {
    package let host: String
    package let port: UInt16
    /// Whether `host` is IPv6 (written in brackets).
    package var isIPv6: Bool { host.contains(":") }

    /// What `init(parsing:)` accepts, for error messages.
    package static let expectedFormat = "off, or host:port with an IP address, e.g. 127.0.0.1:9464 or [::1]:9464"

    package init?(parsing text: String) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), host.contains(":") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host != "localhost" {
                let parts = host.split(separator: ".", omittingEmptySubsequences: false)
                guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && UInt8($0) != nil }) else { return nil }
            }
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(portText), port > 0 else { return nil }
        self.host = host == "localhost" ? "127.0.0.1" : String(host)
        self.port = port
    }

    /// `127.0.0.1:9464`, `[::1]:9464`.
    package var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
