/// A configuration value that cannot be used: names the key, what was found, what is expected.
///
/// Also what an unknown key is (``unknownKey(_:suggestion:)``): a key in the file that no
/// setting has, named with the closest known key when one is a plausible typo.
/// Threading: an immutable value.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    package let key: String
    package let found: String
    package let expected: String
    /// Set for a key telemetryd does not have: the known key it is closest to, if any is close.
    package private(set) var isUnknownKey = false
    package private(set) var suggestion: String?

    package init(key: String, found: String, expected: String) {
        self.key = key
        self.found = found
        self.expected = expected
    }

    /// `key` is not a telemetryd setting; `suggestion` is the known key it was probably meant to be.
    package static func unknownKey(_ key: String, suggestion: String?) -> ConfigurationError {
        var e = ConfigurationError(
            key: key, found: key,
            expected: suggestion.map { "'\($0)'" } ?? "one of the keys in the README's Configuration table")
        e.isUnknownKey = true
        e.suggestion = suggestion
        return e
    }

    /// The configuration file itself cannot be read (`--config`).
    package static func unreadableFile(_ path: String) -> ConfigurationError {
        var e = ConfigurationError(key: "--config", found: path, expected: "a readable YAML file")
        e.isUnreadableFile = true
        return e
    }

    private var isUnreadableFile = false

    package var description: String {
        if isUnreadableFile { return "cannot read config file '\(found)'" }
        guard isUnknownKey else { return "config key '\(key)': got '\(found)'; expected \(expected)" }
        return "config key '\(key)' is not a telemetryd setting; "
            + (suggestion.map { "did you mean '\($0)'?" } ?? "the settings are listed in the README's Configuration table")
    }
}
