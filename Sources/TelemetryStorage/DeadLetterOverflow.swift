/// A change in whether the dead-letter sink is dropping letters for lack of buffer, as
/// ``DeadLetterSink/takeOverflowChange()`` reports it: once when dropping begins, once when
/// it ends — never once per letter, so a flood of garbage cannot flood the log too. Its
/// ``description`` is the log line.
///
/// Threading: a value type.
package enum DeadLetterOverflow: Sendable, Equatable, CustomStringConvertible {
    /// Since the previous report the buffer (`bufferBytes`, for letters not yet written) was
    /// full and `dropped` letters were not kept: the first drops of an episode.
    case began(dropped: Int, bufferBytes: Int)
    /// A whole flush interval passed without a drop; `dropped` letters were lost in the
    /// episode that ended.
    case ended(dropped: Int)

    package var description: String {
        switch self {
        case .began(let dropped, let bufferBytes):
            "the dead-letter buffer (\(bufferBytes) bytes) is full: dropping dead letters, \(dropped) so far;"
                + " they are counted in status.json (dead_letters_dropped) and written nowhere"
        case .ended(let dropped):
            "dead letters are kept again; \(dropped) were dropped while the buffer was full"
        }
    }
}
