/// A count of rollup lines that were skipped because they could not be decoded, with the
/// location of the first one so the user can look at it.
///
/// Readers add to it instead of reporting each line; `telemetryctl` prints one summary line
/// on stderr.
///
/// Threading: a value type; not shared across threads while being mutated.
package struct MalformedLineTally: Sendable, Equatable {
    /// Number of skipped lines.
    package private(set) var count = 0
    /// `path:line` of the first skipped line, when any.
    package private(set) var firstLocation: String?

    package init() {}

    /// Records one malformed line at `path`, 1-based `line`.
    package mutating func record(path: String, line: Int) {
        if firstLocation == nil { firstLocation = "\(path):\(line)" }
        count += 1
    }

    /// Adds another tally's counts to this one.
    package mutating func merge(_ other: MalformedLineTally) {
        if firstLocation == nil { firstLocation = other.firstLocation }
        count += other.count
    }
}
