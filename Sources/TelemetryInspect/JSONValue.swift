import TelemetryCore

/// A parsed JSON value that keeps object members in file order and numbers as their literal text.
///
/// `telemetryctl` needs both properties: `status.json` is shown in the order the daemon wrote it
/// (so new fields appear where the daemon put them), and the literal keeps the distinction
/// between `12` and `12.0` as well as full precision.
///
/// Invariants: `.number` literals are valid JSON number grammar (the parser only produces such).
/// Duplicate keys are kept as they appear; `member(_:)` returns the first.
///
/// Threading: an immutable value type; safe to share between threads.
package enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    /// A number, as its literal text (e.g. `"230.0"`, `"12"`, `"1e-05"`).
    case number(String)
    case bool(Bool)
    case null

    /// The first member named `key` when this is an object.
    package func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The members when this is an object.
    package var objectMembers: [JSONMember]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The text when this is a string.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as an `Int64` when this is a number with an integral value that fits.
    package var int64Value: Int64? {
        guard case .number(let literal) = self else { return nil }
        return Int64(integralNumberText: literal)
    }
}

/// One `"key": value` pair of a JSON object, in file order.
///
/// Threading: an immutable value type; safe to share.
package struct JSONMember: Sendable, Equatable {
    package let key: String
    package let value: JSONValue

    package init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}
