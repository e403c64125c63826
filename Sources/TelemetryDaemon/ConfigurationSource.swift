package import Configuration
import Synchronization

/// Where a setting's value came from: a command-line flag, a `TELEMETRYD_` environment
/// variable, the YAML file, or the built-in default (no provider had it).
package enum ConfigurationSource: String, Sendable, Equatable {
    case flag, environment = "env", file, `default`
}

/// Records, as `ConfigurationLoader` reads each key, which provider answered: swift-configuration
/// reports every lookup with each provider's result, in precedence order, and the first one
/// with a value is where the setting came from.
///
/// Threading: `Sendable`; `report` may be called from any thread (a mutex guards the record).
package final class ConfigurationSourceRecorder: AccessReporter, Sendable {
    private let sources = Mutex<[String: ConfigurationSource]>([:])
    private let read = Mutex<Set<String>>([])

    package init() {}

    package func report(_ event: AccessEvent) {
        let key = event.metadata.key.components.joined(separator: ".")
        read.withLock { _ = $0.insert(key) }
        let found = event.providerResults.first { result in
            if case .success(let lookup) = result.result { return lookup.value != nil }
            return false
        }
        guard let found, let source = Self.source(ofProvider: found.providerName) else { return }
        sources.withLock { $0[key] = source }
    }

    /// Every key looked up, found or not (a test holds it to `ConfigurationKeys.all`).
    package var keysRead: Set<String> { read.withLock { $0 } }

    /// Where `key` came from: `.default` when no provider had it.
    package func source(of key: String) -> ConfigurationSource {
        sources.withLock { $0[key] } ?? .default
    }

    /// The source named by a provider of `ConfigurationLoader.load` (flags are the in-memory
    /// provider, the environment is wrapped in a key-prefixing provider).
    static func source(ofProvider name: String) -> ConfigurationSource? {
        if name.contains("Environment") { return .environment }
        if name.contains("InMemoryProvider") { return .flag }
        if name.contains("FileProvider") { return .file }
        return nil
    }
}
