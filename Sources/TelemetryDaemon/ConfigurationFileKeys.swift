import Yams

/// The keys a YAML configuration file sets, checked against ``ConfigurationKeys``: a key that
/// is no setting (`windws:`, `mqtt.topic:`) is an error with its did-you-mean, not a value
/// quietly ignored while the default is used.
///
/// Keys are flattened the way swift-configuration's YAML provider flattens them: nested maps
/// and dotted keys both become `mqtt.reconnect.min`. A group left empty (`tls:` with every
/// line under it commented out) is fine; a group given a value (`mqtt: broker`) is not.
/// Threading: stateless.
enum ConfigurationFileKeys {
    /// The first problem with the keys of `yaml`, in file order; nil when every key is a
    /// setting. Text that is not YAML is left to the provider, which reports it.
    static func problem(inYAML yaml: String) -> ConfigurationError? {
        guard let root = try? Yams.Parser(yaml: yaml).singleRoot(), let mapping = root.mapping else { return nil }
        var pending: [(prefix: [String], key: Node, value: Node)] = mapping.map { ([], $0.key, $0.value) }
        while !pending.isEmpty {
            let (prefix, keyNode, value) = pending.removeFirst()
            guard let name = keyNode.string else { continue }
            let path = prefix + [name]
            let key = path.joined(separator: ".")
            if let nested = value.mapping, !nested.isEmpty {
                if ConfigurationKeys.all.contains(key), !ConfigurationKeys.groups.contains(key) {
                    return ConfigurationError(key: key, found: "a map", expected: "a value, not a map of keys")
                }
                pending.append(contentsOf: nested.map { (path, $0.key, $0.value) })
                continue
            }
            if ConfigurationKeys.all.contains(key) { continue }
            if ConfigurationKeys.groups.contains(key) {
                if isEmpty(value) { continue }
                let members = ConfigurationKeys.all.filter { $0.hasPrefix(key + ".") }
                return ConfigurationError(
                    key: key, found: value.string ?? "a list",
                    expected: "a map of its settings (\(members.joined(separator: ", ")))")
            }
            if let problem = ConfigurationKeys.problem(withKey: key) { return problem }
        }
        return nil
    }

    /// A null (`tls:` with nothing after it) or an empty map (`tls: {}`).
    private static func isEmpty(_ node: Node) -> Bool {
        if let m = node.mapping { return m.isEmpty }
        if case .scalar(let s) = node { return ["", "~", "null", "Null", "NULL"].contains(s.string) }
        return false
    }
}
