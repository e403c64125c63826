/// A configuration value that cannot be used: names the key, what was found, what is expected.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let found: String
    public let expected: String

    public init(key: String, found: String, expected: String) {
        self.key = key
        self.found = found
        self.expected = expected
    }

    public var description: String { "config key '\(key)': got '\(found)'; expected \(expected)" }
}
