import TelemetryCore
package import TelemetryStorage

/// `telemetryctl devices`: the devices of `devices.jsonl` that pass a ``DeviceFilter``, in a
/// ``DeviceSort`` order, at most `limit` of them.
///
/// Ages ("last seen 3s ago") and `--quiet-for` are measured from a reference time, the
/// listing's *as of*: by default the newest last arrival in the file — the ingest clock as of
/// the last message telemetryd took from any device — so they mean the same in a replay
/// (capture time) as live, and do not depend on when the command runs. `asOfMs` (e.g. the
/// wall clock, `--as-of now`) replaces it; live, that also shows a fleet that went quiet all
/// at once. The reference is taken over the whole file, before filtering, so narrowing the
/// selection does not change the ages.
///
/// Threading: a value type; ``run(dataDirectory:)`` does blocking file I/O on the calling
/// thread, ``select(from:)`` none.
package struct DeviceListing: Sendable {
    package var filter: DeviceFilter
    package var sort: DeviceSort
    /// At most this many devices (the first in `sort` order); `nil` for all.
    package var limit: Int?
    /// The reference time for ages and quiet; `nil` for the newest last arrival in the file.
    package var asOfMs: Int64?

    package init(filter: DeviceFilter = DeviceFilter(), sort: DeviceSort = .device, limit: Int? = nil, asOfMs: Int64? = nil) {
        self.filter = filter
        self.sort = sort
        self.limit = limit
        self.asOfMs = asOfMs
    }

    /// Reads `<dataDirectory>/devices.jsonl` and selects from it. Throws
    /// ``InspectError/devicesMissing(dataDirectory:)`` when there is no such file and
    /// ``InspectError/devicesUnreadable(path:reason:)`` when it cannot be read.
    package func run(dataDirectory: String) throws(InspectError) -> DeviceListingResult {
        let file = DeviceHealthFile(DataDirectory(dataDirectory))
        let contents: DeviceHealthFile.Contents?
        do {
            contents = try file.read()
        } catch {
            throw .devicesUnreadable(path: file.path, reason: error.reason)
        }
        guard let contents else { throw .devicesMissing(dataDirectory: dataDirectory) }
        return select(from: contents)
    }

    /// The selection from a file's contents.
    package func select(from contents: DeviceHealthFile.Contents) -> DeviceListingResult {
        let newest = contents.lines.map(\.health.lastArrivalMs).max() ?? DeviceHealth.never
        let asOf = asOfMs ?? (newest == DeviceHealth.never ? nil : newest)
        var lines = contents.lines.filter { filter.matches($0.health, asOfMs: asOf ?? 0) }
        lines.sort { sort.areInIncreasingOrder($0.health, $1.health) }
        if let limit, lines.count > limit { lines.removeSubrange(limit...) }
        return DeviceListingResult(lines: lines, asOfMs: asOf, total: contents.lines.count, malformed: contents.malformed)
    }
}

/// What ``DeviceListing`` selected.
///
/// Threading: a value type.
package struct DeviceListingResult: Sendable {
    /// The devices shown, in order.
    package var lines: [DeviceHealthFile.Line]
    /// The reference time ages are measured from; `nil` when no device has been heard from.
    package var asOfMs: Int64?
    /// Devices in the file, before filtering.
    package var total: Int
    /// Lines of the file that were skipped.
    package var malformed: MalformedLineTally

    package init(lines: [DeviceHealthFile.Line], asOfMs: Int64?, total: Int, malformed: MalformedLineTally) {
        self.lines = lines
        self.asOfMs = asOfMs
        self.total = total
        self.malformed = malformed
    }

    /// The warning about skipped lines for stderr, or `nil` when none were.
    package var malformedSummary: String? {
        guard malformed.count > 0 else { return nil }
        let noun = malformed.count == 1 ? "line" : "lines"
        let location = malformed.firstLocation.map { " (first at \(TerminalSafeText.sanitize($0)))" } ?? ""
        return "warning: skipped \(malformed.count) malformed device \(noun)\(location)"
    }
}
