/// Reading TLS failures out of libmosquitto's error log lines — the only place libmosquitto and
/// OpenSSL say *why* a handshake failed — and the texts the client reports for them.
///
/// Threading: pure functions.
enum TLSFailureText {
    /// When the broker ends the TLS session during set-up without an error line saying why.
    static let closedDuringSetUp =
        "the broker closed the TLS session during set-up (it may require a client certificate, or reject the one given)"

    /// The TLS-related error lines, shortened and without repeats: "OpenSSL Error[0]:
    /// error:0A000086:SSL routines::certificate verify failed" → "certificate verify failed";
    /// "Error: host name verification failed." → "host name verification failed".
    static func reasons(_ lines: [String]) -> [String] {
        var reasons: [String] = []
        for line in lines {
            var reason: Substring
            if line.hasPrefix("OpenSSL Error") {
                reason = line.split(separator: ":", omittingEmptySubsequences: false).last ?? Substring(line)
            } else if line.contains("host name verification") || line.contains("certificate") || line.contains("TLS")
                || line.contains("SSL")
            {
                reason = Substring(line)
                if reason.hasPrefix("Error: ") { reason = reason.dropFirst("Error: ".count) }
            } else {
                continue
            }
            while reason.last == "." || reason.last == " " { reason = reason.dropLast() }
            while reason.first == " " { reason = reason.dropFirst() }
            let text = String(reason)
            if !text.isEmpty && !reasons.contains(text) { reasons.append(text) }
        }
        return reasons
    }

    /// `reasons(lines)` joined with "; ", or `fallback` when no line is about TLS.
    static func reason(_ lines: [String], fallback: String) -> String {
        let reasons = reasons(lines)
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }

    /// The TLS reason of one error line, or nil if the line is not about TLS.
    static func reason(ofLine line: String) -> String? {
        let reasons = reasons([line])
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }
}
