package import TelemetryCore
package import TelemetryStorage

/// Which windows a `query` reads and how: the one asked for with `--window`, or — without it —
/// every window present, smallest first, so that `query --format json > all.jsonl` holds all
/// the rollups (json/csv rows carry their `window`; tables get a `window` column).
///
/// Each window is one ``RollupQuery`` (the limit applies per window). ``notes`` are lines for
/// stderr about how the rows were obtained; a window derived from another (e.g. a day merged
/// from hours) adds its note here.
///
/// Threading: a value type; ``run(filter:limit:in:)`` does blocking file I/O on the calling thread.
package struct RollupQueryPlan: Sendable {
    /// The windows read, smallest first.
    package var windows: [WindowSize]
    /// Lines for stderr about the plan (none when the windows are read as they are).
    package var notes: [String] = []

    package init(windows: [WindowSize], notes: [String] = []) {
        self.windows = windows
        self.notes = notes
    }

    /// Whether rows of several windows are shown (tables then need a `window` column).
    package var spansWindows: Bool { windows.count > 1 }

    /// The plan for `requested` (nil: every window present) in `directory`; `nil` when there
    /// are no rollups yet. Throws as ``RollupDirectory/resolveWindowExplained(_:)`` does.
    package static func make(requested: WindowSize?, in directory: RollupDirectory) throws(RollupReadError) -> RollupQueryPlan? {
        if let requested {
            guard let window = try directory.resolveWindowExplained(requested) else { return nil }
            return RollupQueryPlan(windows: [window])
        }
        let present: [WindowSize]
        do {
            present = try directory.windows()
        } catch {
            throw directory.explained(error)
        }
        return present.isEmpty ? nil : RollupQueryPlan(windows: present)
    }

    /// The matching rows of every window, window by window (smallest first), each window's
    /// sorted by ``RollupRow/outputOrder(_:_:)`` and cut to `limit`.
    package func run(filter: RollupFilter, limit: Int? = nil, in directory: RollupDirectory) throws(RollupReadError)
        -> RollupQueryResult
    {
        var result = RollupQueryResult()
        for window in windows {
            let part = try RollupQuery(window: window, filter: filter, limit: limit).run(in: directory)
            result.rows += part.rows
            result.malformed.merge(part.malformed)
        }
        return result
    }
}
