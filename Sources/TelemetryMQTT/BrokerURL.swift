/// A broker address written as a URL: `mqtt://[user[:password]@]host[:port]` or
/// `mqtts://…` (TLS).
///
/// Rules: the scheme is `mqtt` or `mqtts` (any case); user and password are percent-decoded
/// (`%40` for `@`, `%3A` for `:`); the host is a name, an IPv4 address or a bracketed IPv6
/// address (`[::1]`); the port is 1…65535 and defaults to 1883 (`mqtt`) or 8883 (`mqtts`); a
/// trailing `/` is allowed but no other path, query or fragment.
///
/// Invariants: `description` shows the password as `***`; errors never echo it either, even
/// for a text that is no URL (`tcp:user:secret@host`, a `/` in the password).
/// A plain value, safe to share between threads.
package struct BrokerURL: Sendable, Hashable, CustomStringConvertible {
    package var usesTLS: Bool
    package var host: String
    package var port: Int
    package var credentials: MQTTCredentials?

    static let expectedForm = "expected mqtt://[user[:password]@]host[:port] or mqtts://[user[:password]@]host[:port]"

    package init(usesTLS: Bool, host: String, port: Int? = nil, credentials: MQTTCredentials? = nil) {
        self.usesTLS = usesTLS
        self.host = host
        self.port =
            port ?? (usesTLS ? MQTTClientConfiguration.defaultTLSPort : MQTTClientConfiguration.defaultPort)
        self.credentials = credentials
    }

    /// Parses `text`; throws `MQTTError.invalidBrokerURL` saying what is wrong and what is
    /// expected.
    package init(parsing text: String) throws(MQTTError) {
        do throws(Problem) {
            self = try BrokerURL(checking: text)
        } catch {
            throw .invalidBrokerURL("\(error.description) in '\(Self.redacted(text))'; \(Self.expectedForm)")
        }
    }

    /// What is wrong with `text` as a broker URL, e.g. `port '99999' is not a number in
    /// 1…65535` (the password masked); nil when it is one. For configuration checks, which
    /// must accept exactly what `init(parsing:)` does.
    package static func problem(with text: String) -> String? {
        do throws(Problem) {
            _ = try BrokerURL(checking: text)
            return nil
        } catch {
            return error.description
        }
    }

    /// Why a text is not a broker URL; the parts of the text it quotes have the password masked.
    private struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    private init(checking text: String) throws(Problem) {
        let trimmed = Substring(text)
        // Every part of the text a problem quotes goes through `shown`, which masks the password.
        let secret = Self.passwordRange(in: trimmed)
        func shown(_ part: Substring) -> String { Self.masking(secret, in: part) }
        func fail(_ problem: String) -> Problem { Problem(description: problem) }
        guard let schemeEnd = trimmed.firstRange(of: "://") else { throw fail("missing scheme") }
        let schemeText = trimmed[..<schemeEnd.lowerBound]
        switch schemeText.lowercased() {
        case "mqtt": usesTLS = false
        case "mqtts": usesTLS = true
        default: throw fail("unsupported scheme '\(shown(schemeText).lowercased())'")
        }
        var authority = trimmed[schemeEnd.upperBound...]
        if let slash = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            let rest = authority[slash...]
            guard rest == "/" else { throw fail("unexpected path, query or fragment '\(shown(rest))'") }
            authority = authority[..<slash]
        }
        // User info ends at the last '@' so an unencoded '@' in a password still parses.
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let user: Substring
            var password: String?
            if let colon = userInfo.firstIndex(of: ":") {
                user = userInfo[..<colon]
                guard let decoded = Self.percentDecoded(userInfo[userInfo.index(after: colon)...]) else {
                    throw fail("bad percent-encoding in the password")
                }
                password = decoded
            } else {
                user = userInfo
            }
            guard let username = Self.percentDecoded(user) else { throw fail("bad percent-encoding in the user name") }
            guard !username.isEmpty else { throw fail("empty user name before '@'") }
            credentials = MQTTCredentials(username: username, password: password)
        } else {
            credentials = nil
        }
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unterminated '[' in IPv6 address") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" })
            else { throw fail("'[\(host)]' is not an IPv6 address") }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw fail("unexpected '\(after)' after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = String(authority[..<colon])
                portText = authority[authority.index(after: colon)...]
            } else {
                host = String(authority)
            }
            guard !host.isEmpty else { throw fail("missing host") }
            guard
                host.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." || $0 == "_" })
            else { throw fail("'\(host)' is not a valid host name") }
        }
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
                let value = Int(portText), (1...65_535).contains(value)
            else { throw fail("port '\(portText)' is not a number in 1…65535") }
            port = value
        } else {
            port = usesTLS ? MQTTClientConfiguration.defaultTLSPort : MQTTClientConfiguration.defaultPort
        }
    }

    package var description: String {
        var text = usesTLS ? "mqtts://" : "mqtt://"
        if let credentials {
            text += Self.percentEncoded(credentials.username)
            if credentials.password != nil { text += ":***" }
            text += "@"
        }
        return text + MQTTError.hostPort(host, port)
    }

    // MARK: - Helpers

    /// Where a password may be in `text`, however malformed the rest: from the first `:`
    /// after the user name's start (just after a `://` before the last `@`, else the start of
    /// the text) up to the last `@`. A `/` or a scheme other than mqtt do not end it; masking
    /// too much of a broken URL is better than showing a secret. Nil without `@` or `:`.
    static func passwordRange(in text: Substring) -> Range<String.Index>? {
        guard let at = text.lastIndex(of: "@") else { return nil }
        let userStart = text[..<at].firstRange(of: "://")?.upperBound ?? text.startIndex
        guard let colon = text[userStart..<at].firstIndex(of: ":") else { return nil }
        return text.index(after: colon)..<at
    }

    /// `part` (a slice of the text `secret` was found in) with the piece of it that overlaps
    /// `secret` replaced by `***`.
    static func masking(_ secret: Range<String.Index>?, in part: Substring) -> String {
        guard let secret, secret.lowerBound < part.endIndex, part.startIndex < secret.upperBound else {
            return String(part)
        }
        let from = Swift.max(secret.lowerBound, part.startIndex), to = Swift.min(secret.upperBound, part.endIndex)
        return String(part[..<from]) + "***" + String(part[to...])
    }

    /// `text` with any password (see ``passwordRange(in:)``) replaced by `***`, for messages.
    package static func redacted(_ text: String) -> String {
        let whole = Substring(text)
        return masking(passwordRange(in: whole), in: whole)
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "-._~".unicodeScalars.contains(scalar))
            {
                result.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
