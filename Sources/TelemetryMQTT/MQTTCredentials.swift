/// Username and optional password sent in CONNECT.
///
/// Invariant: the password never appears in `description`, `debugDescription`, or a `Mirror`
/// (so neither in `print`, string interpolation, `dump`, nor swift-log metadata built from
/// them) — it is shown as `<redacted>`. Only `MQTTClient` reads `password`, to hand it to
/// `mosquitto_username_pw_set`.
///
/// Threading: a plain `Sendable` value.
package struct MQTTCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    package var username: String
    package var password: String?

    package init(username: String, password: String? = nil) {
        self.username = username
        self.password = password
    }

    package var description: String {
        "username '\(username)'" + (password == nil ? ", no password" : ", password <redacted>")
    }

    package var debugDescription: String { "MQTTCredentials(\(description))" }

    package var customMirror: Mirror {
        Mirror(self, children: ["username": username, "password": password == nil ? "nil" : "<redacted>"])
    }
}
