package import TelemetryCore
package import TelemetryStorage

/// Which windows a `query` reads and how: the one asked for with `--window`, or — without it —
/// every window present, smallest first, so that `query --format json > all.jsonl` holds all
/// the rollups (json/csv rows carry their `window`; tables get a `window` column).
///
/// Each window is one ``RollupQuery`` (the limit applies per window). ``notes`` are lines for
/// stderr about how the rows were obtained.
///
/// A window asked for that is not stored but is a multiple of one that is (`--window 1d` with
/// `1h` rollups on disk) is computed by merging the stored rows (``RollupMerge``): from the
/// largest stored window that divides it (and its alignment's phase), exactly for count, min,
/// max, first, last, their event times and the percentiles' sketches, by Chan's formula for
/// mean and stddev; a note says so.
///
/// Threading: a value type; ``run(filter:limit:in:)`` does blocking file I/O on the calling thread.
package struct RollupQueryPlan: Sendable {
    /// The windows read, smallest first.
    package var windows: [WindowSize]
    /// Lines for stderr about the plan (none when the windows are read as they are).
    package var notes: [String] = []
    /// When the one window of the plan is computed rather than read: the stored window it is
    /// merged from, and where its windows start past a multiple of it (the `windows.align`
    /// phase, e.g. 17 h for days under `+07:00`).
    package var derivation: Derivation?

    /// How a window that is not stored is computed from one that is.
    package struct Derivation: Sendable, Equatable {
        package var source: WindowSize
        package var phaseMs: Int64
    }

    package init(windows: [WindowSize], notes: [String] = [], derivation: Derivation? = nil) {
        self.windows = windows
        self.notes = notes
        self.derivation = derivation
    }

    /// Whether rows of several windows are shown (tables then need a `window` column).
    package var spansWindows: Bool { windows.count > 1 }

    /// The plan for `requested` (nil: every window present) in `directory`; `nil` when there
    /// are no rollups yet. Throws as ``RollupDirectory/resolveWindowExplained(_:)`` does.
    /// `alignment` is where computed windows start (the daemon's `windows.align`; stored
    /// windows start where the daemon put them).
    package static func make(
        requested: WindowSize?, alignment: WindowAlignment = .utc, in directory: RollupDirectory
    ) throws(RollupReadError) -> RollupQueryPlan? {
        let present: [WindowSize]
        do {
            present = try directory.windows()
        } catch {
            throw directory.explained(error)
        }
        guard let requested else { return present.isEmpty ? nil : RollupQueryPlan(windows: present) }
        if present.contains(requested) { return RollupQueryPlan(windows: [requested]) }
        let phase = alignment.phase(of: requested)
        let divisors = present.filter { requested.milliseconds % $0.milliseconds == 0 && phase % $0.milliseconds == 0 }
        guard let source = divisors.max() else {
            throw .windowNotPresent(requested, present: present, dataDirectory: directory.dataDirectory)
        }
        let note = "\(requested.name) rollups computed from the stored \(source.name) rollups by merging"
            + (alignment == .utc ? "" : " (days from \(alignment.name))")
            + ": count, sum, min, max, first, last and percentiles exact, mean and stddev by Chan's formula"
        return RollupQueryPlan(windows: [requested], notes: [note], derivation: Derivation(source: source, phaseMs: phase))
    }

    /// The matching rows of every window, window by window (smallest first), each window's
    /// sorted by ``RollupRow/outputOrder(_:_:)`` and cut to `limit`.
    package func run(filter: RollupFilter, limit: Int? = nil, in directory: RollupDirectory) throws(RollupReadError)
        -> RollupQueryResult
    {
        if let derivation, let target = windows.first {
            return try merged(target, from: derivation, filter: filter, limit: limit, in: directory)
        }
        var result = RollupQueryResult()
        for window in windows {
            let part = try RollupQuery(window: window, filter: filter, limit: limit).run(in: directory)
            result.rows += part.rows
            result.malformed.merge(part.malformed)
        }
        return result
    }

    /// The rows of `target` merged from the stored rows of `derivation.source`: every source
    /// row of the target windows whose start is in the filter's range, so that a target
    /// window is whole even where the range starts inside it.
    private func merged(
        _ target: WindowSize, from derivation: Derivation, filter: RollupFilter, limit: Int?, in directory: RollupDirectory
    ) throws(RollupReadError) -> RollupQueryResult {
        var merge = RollupMerge(window: target, offsetMs: derivation.phaseMs)
        var sourceFilter = filter
        let from = filter.range.from.map { merge.targetStart(containing: $0) }
        let to = filter.range.to.map { merge.targetStart(containing: $0 - 1) + target.milliseconds }
        // Widening a non-empty range keeps it non-empty.
        if let range = try? TimeRange(from: from, to: to) { sourceFilter.range = range }
        let source = try RollupQuery(window: derivation.source, filter: sourceFilter).run(in: directory)
        for row in source.rows {
            // Cannot fail: the plan chose a source window that divides the target and its phase.
            try? merge.add(row)
        }
        var rows = merge.rows.filter(filter.matches)
        if let limit, rows.count > limit { rows.removeLast(rows.count - limit) }
        return RollupQueryResult(rows: rows, malformed: source.malformed)
    }
}
