/// Why a JSON text could not be read: the byte offset and a short reason.
///
/// Thrown by ``JSONLexer``'s reading steps and by what is built on them (the tree builder of
/// `telemetryctl`, the checkpoint reader), whose reasons also name the field that is wrong.
///
/// Threading: an immutable value type.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the input where the problem was found.
    public let offset: Int
    /// A short human-readable reason, e.g. `"expected ':'"`.
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
