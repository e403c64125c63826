/// A configuration value that cannot be used: names the key, what was found, what is expected.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    package let key: String
    package let found: String
    package let expected: String

    package init(key: String, found: String, expected: String) {
        self.key = key
        self.found = found
        self.expected = expected
    }

    package var description: String { "config key '\(key)': got '\(found)'; expected \(expected)" }
}
