package import TelemetryCore
package import TelemetryStorage

extension RollupDirectory {
    /// The files of `window` that can hold window starts in `range`, oldest hour first (for one
    /// hour, `.jsonl` before `.csv`).
    package func files(window: WindowSize, range: TimeRange) throws(RollupReadError) -> [RollupFileRef] {
        try files(window: window, from: range.from, to: range.to)
    }
}
