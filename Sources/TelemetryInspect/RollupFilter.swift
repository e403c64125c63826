package import TelemetryCore

/// Which rollups to select by tag and time: exact matches on site/device/metric (each an
/// allowed set; empty means any) and a ``TimeRange`` on the window start.
///
/// Threading: a value type with no shared state; safe to share.
package struct RollupFilter: Sendable, Hashable {
    package var sites: Set<String>
    package var devices: Set<String>
    package var metrics: Set<String>
    package var range: TimeRange

    package init(
        sites: Set<String> = [], devices: Set<String> = [], metrics: Set<String> = [],
        range: TimeRange = .unbounded
    ) {
        self.sites = sites
        self.devices = devices
        self.metrics = metrics
        self.range = range
    }

    /// Whether `row` passes every filter.
    package func matches(_ row: RollupRow) -> Bool {
        range.contains(row.start)
            && (sites.isEmpty || sites.contains(row.site))
            && (devices.isEmpty || devices.contains(row.device))
            && (metrics.isEmpty || metrics.contains(row.metric))
    }

    /// Splits repeated option values that may also be comma lists (`--metric a,b --metric c`)
    /// into one set, ignoring empty items.
    package static func values(_ options: [String]) -> Set<String> {
        Set(options.flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty })
    }

    /// A short description of the active filters for messages, e.g.
    /// `site hanoi, metric pm25, from 2026-11-24T00:00:00.000Z`; sanitised for the terminal.
    package var summary: String {
        var parts = [Self.summaryPart("site", sites), Self.summaryPart("device", devices), Self.summaryPart("metric", metrics)]
            .compactMap { $0 }
        if let from = range.from { parts.append("from " + UTCTimestamp.format(milliseconds: from)) }
        if let to = range.to { parts.append("to " + UTCTimestamp.format(milliseconds: to)) }
        return parts.joined(separator: ", ")
    }
}

extension RollupFilter {
    /// `site hanoi,hcmc` for a filter's values (sorted, sanitised), or nil when there are
    /// none: one spelling for every command's filter summary.
    static func summaryPart(_ name: String, _ values: Set<String>) -> String? {
        guard !values.isEmpty else { return nil }
        return name + " " + values.sorted().map(TerminalSafeText.sanitize).joined(separator: ",")
    }
}
