package import TelemetryCore
package import TelemetryStorage

/// `tail`: the newest rollups of one window, then (for `-f`) the complete lines appended since.
///
/// ``newest(_:)`` reads hour files newest first until it has enough rows and returns the last
/// `count` in output order (window start, then site, device, metric). It remembers how far it
/// read the files of the two most recent hours; ``poll()`` then returns only complete records
/// written after that, in file order, and picks up hour/day files that appear later. A partial
/// last line is left for a later poll, once its newline has been written. Files of hours older
/// than the newest hour minus one are no longer followed (the daemon only appends to the hours
/// whose windows are still closing).
///
/// Threading: a value type with mutable read positions; use an instance from one thread.
/// Calls do blocking file I/O.
package struct RollupTail: Sendable {
    package let directory: RollupDirectory
    package let window: WindowSize
    /// Tag filter applied to every row (its time range is ignored).
    package let filter: RollupFilter
    /// All malformed lines seen so far.
    package private(set) var malformed = MalformedLineTally()

    private var followed: [String: (hourStart: Int64, reader: RollupFileReader)] = [:]
    /// Files with an hour before this are not followed; `nil` until any file exists.
    private var followFrom: Int64?

    package init(directory: RollupDirectory, window: WindowSize, filter: RollupFilter = RollupFilter()) {
        self.directory = directory
        self.window = window
        self.filter = RollupFilter(sites: filter.sites, devices: filter.devices, metrics: filter.metrics)
    }

    /// The newest `count` matching rows, oldest first; starts following the recent files.
    package mutating func newest(_ count: Int) throws(RollupReadError) -> [RollupRow] {
        let files = try directory.files(window: window)
        guard let newestHour = files.last?.hourStart else { return [] }
        let from = newestHour - 3_600_000
        followFrom = from
        var rows: [RollupRow] = []
        for file in files where file.hourStart >= from {
            var reader = file.reader()
            rows += try read(&reader)
            followed[file.path] = (file.hourStart, reader)
        }
        for file in files.reversed() where file.hourStart < from {
            if rows.count >= count { break }
            var reader = file.reader()
            rows += try read(&reader)
        }
        rows.sort(by: RollupRow.outputOrder)
        return Array(rows.suffix(count))
    }

    /// Matching rows completed since the previous call (or since ``newest(_:)``), in the order
    /// they were written, oldest hour file first.
    package mutating func poll() throws(RollupReadError) -> [RollupRow] {
        let files = try directory.files(window: window, from: followFrom)
        var rows: [RollupRow] = []
        for file in files {
            var reader = followed[file.path]?.reader ?? file.reader()
            rows += try read(&reader)
            followed[file.path] = (file.hourStart, reader)
        }
        if let newestHour = files.last?.hourStart {
            let from = newestHour - 3_600_000
            followFrom = from
            followed = followed.filter { $0.value.hourStart >= from }
        }
        return rows
    }

    private mutating func read(_ reader: inout RollupFileReader) throws(RollupReadError) -> [RollupRow] {
        var rows: [RollupRow] = []
        let window = self.window
        let filter = self.filter
        try reader.readAvailable { row in
            if row.window == window, filter.matches(row) { rows.append(row) }
        }
        malformed.merge(reader.takeMalformed())
        return rows
    }
}
