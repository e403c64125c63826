package import TelemetryCore

/// One rollup file found by ``RollupDirectory``: where it is, its encoding, its window, and
/// the UTC hour its window starts fall in (`[hourStart, hourStart + 1h)`).
///
/// Threading: an immutable value type; safe to share.
package struct RollupFileRef: Sendable, Hashable {
    package let path: String
    package let format: RollupFileFormat
    package let window: WindowSize
    /// Epoch ms of the UTC hour named by the file's date directory and file name.
    package let hourStart: Int64

    package init(path: String, format: RollupFileFormat, window: WindowSize, hourStart: Int64) {
        self.path = path
        self.format = format
        self.window = window
        self.hourStart = hourStart
    }

    /// A reader positioned at the start of this file.
    package func reader() -> RollupFileReader { RollupFileReader(path: path, format: format) }
}
