package import TelemetryCore
package import TelemetryStorage

/// The `series` listing: every `(site, device, metric)` present per window, with rollup count
/// and first/last window start, for rollups passing a ``RollupFilter``.
///
/// Threading: stateless; ``collect(in:windows:filter:)`` does blocking file I/O on the calling
/// thread and keeps one entry per series in memory (not one per rollup).
package enum SeriesCatalog {
    /// Scans the files of each of `windows` (all present windows when `nil`).
    package static func collect(
        in directory: RollupDirectory, windows: [WindowSize]? = nil, filter: RollupFilter = RollupFilter()
    ) throws(RollupReadError) -> SeriesCatalogResult {
        var result = SeriesCatalogResult()
        let selected: [WindowSize]
        if let windows { selected = windows } else { selected = try directory.windows() }
        for window in selected {
            var byKey: [SeriesKey: SeriesSummary] = [:]
            for file in try directory.files(window: window, range: filter.range) {
                var reader = file.reader()
                try reader.readAvailable { row in
                    guard row.window == window, filter.matches(row) else { return }
                    let key = row.series
                    if var s = byKey[key] {
                        s.rollups += 1
                        s.firstStart = Swift.min(s.firstStart, row.start)
                        s.lastStart = Swift.max(s.lastStart, row.start)
                        byKey[key] = s
                    } else {
                        byKey[key] = SeriesSummary(
                            window: window, series: key, rollups: 1, firstStart: row.start, lastStart: row.start)
                    }
                }
                result.malformed.merge(reader.malformed)
            }
            result.series.append(contentsOf: byKey.values)
        }
        result.series.sort(by: SeriesSummary.outputOrder)
        return result
    }
}

/// The outcome of ``SeriesCatalog/collect(in:windows:filter:)``: summaries in output order and
/// the malformed lines skipped.
///
/// Threading: a value type.
package struct SeriesCatalogResult: Sendable {
    package var series: [SeriesSummary] = []
    package var malformed = MalformedLineTally()

    package init() {}
}
