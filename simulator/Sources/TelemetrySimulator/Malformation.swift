/// How a `malformed` message is broken.
///
/// `json` devices get `truncatedJSON`, `missingValue`, `nonFiniteNumber`, `invalidUTF8`,
/// `emptyObject` or `unmatchedTopic`; `value` devices get `notANumber`, `nanText`,
/// `nonFiniteNumber`, `invalidUTF8` or `unmatchedTopic` (see `DeviceKind.possibleMalformations`).
/// Threading: an immutable value; `Sendable`.
package enum Malformation: String, CaseIterable, Sendable, Hashable {
    /// The JSON payload is cut off before its end (`{"ts":1795500000120,"seq":17,"pm2`).
    case truncatedJSON = "truncated_json"
    /// A metric key has no value (`…,"pm25":,…` or `"voltage":}`).
    case missingValue = "missing_value"
    /// A number is written as `1e999`, which overflows a double (value format: the whole
    /// payload is `1e999`).
    case nonFiniteNumber = "non_finite_number"
    /// The bytes 0xFF 0xFE appear inside the payload (in a JSON key, or in the number).
    case invalidUTF8 = "invalid_utf8"
    /// The payload is `{}`: well-formed, but without any metric.
    case emptyObject = "empty_object"
    /// A value-format payload that is text, `abc`.
    case notANumber = "not_a_number"
    /// A value-format payload `NaN`.
    case nanText = "nan_text"
    /// The payload is fine but the topic matches no template: `vn/{site}/{device}` or
    /// `factory/x/y/z/w`.
    case unmatchedTopic = "unmatched_topic"
}
