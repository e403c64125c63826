package import TelemetryCore
package import TelemetryStorage

/// A `query`: the rollups of one window that pass a ``RollupFilter``, sorted by window start,
/// then site, device, metric, optionally cut to the first `limit`.
///
/// Running it reads only the hour files the time range can touch, streaming each one. With a
/// limit it stops after the hour in which the limit was reached (files hold disjoint, ordered
/// hours, so no later file can contribute an earlier row).
///
/// Threading: a value type; ``run(in:)`` does blocking file I/O on the calling thread.
package struct RollupQuery: Sendable {
    package var window: WindowSize
    package var filter: RollupFilter
    /// At most this many rows (the earliest ones); `nil` for all.
    package var limit: Int?

    package init(window: WindowSize, filter: RollupFilter = RollupFilter(), limit: Int? = nil) {
        self.window = window
        self.filter = filter
        self.limit = limit
    }

    /// Whether `row` belongs to the result (window and filter; the limit is not considered).
    package func matches(_ row: RollupRow) -> Bool {
        row.window == window && filter.matches(row)
    }

    /// Reads the matching rows from `directory`.
    package func run(in directory: RollupDirectory) throws(RollupReadError) -> RollupQueryResult {
        var result = RollupQueryResult()
        let files = try directory.files(window: window, range: filter.range)
        var index = 0
        while index < files.count {
            // All files of one hour (.jsonl and .csv may coexist) before checking the limit.
            let hour = files[index].hourStart
            while index < files.count, files[index].hourStart == hour {
                var reader = files[index].reader()
                try reader.readAvailable { row in
                    if matches(row) { result.rows.append(row) }
                }
                result.malformed.merge(reader.malformed)
                index += 1
            }
            if let limit, result.rows.count >= limit { break }
        }
        result.rows.sort(by: RollupRow.outputOrder)
        if let limit, result.rows.count > limit { result.rows.removeLast(result.rows.count - limit) }
        return result
    }
}

/// The outcome of a ``RollupQuery``: the rows, sorted, and the malformed lines skipped on the
/// way (to report once on stderr).
///
/// Threading: a value type.
package struct RollupQueryResult: Sendable {
    package var rows: [RollupRow] = []
    package var malformed = MalformedLineTally()

    package init(rows: [RollupRow] = [], malformed: MalformedLineTally = MalformedLineTally()) {
        self.rows = rows
        self.malformed = malformed
    }
}
