package import TelemetryCore
package import TelemetryStorage

/// `telemetryctl deadletters`: the dead letters of `deadletter/*.jsonl` that pass a
/// ``DeadLetterFilter``, in file order (day files in order, so by receipt), the last `limit`
/// of them when limited (the newest), with the count of every reason among those that
/// passed.
///
/// Only the day files that `filter.range` can touch are read.
///
/// Threading: a value type; ``run(dataDirectory:)`` does blocking file I/O on the calling thread.
package struct DeadLetterListing: Sendable {
    package var filter: DeadLetterFilter
    /// At most this many letters (the newest); `nil` for all.
    package var limit: Int?

    package init(filter: DeadLetterFilter = DeadLetterFilter(), limit: Int? = nil) {
        self.filter = filter
        self.limit = limit
    }

    /// Reads and selects; throws ``InspectError/deadLettersUnreadable(path:reason:)``.
    package func run(dataDirectory: String) throws(InspectError) -> DeadLetterListingResult {
        let files = DeadLetterFiles(DataDirectory(dataDirectory))
        let contents: DeadLetterFiles.Contents
        do {
            contents = try files.read(
                fromDay: filter.range.from.map { UTCTimestamp.dayString(milliseconds: $0) },
                toDay: filter.range.to.map { UTCTimestamp.dayString(milliseconds: $0 - 1) })
        } catch {
            throw .deadLettersUnreadable(path: files.path, reason: error.reason)
        }
        return select(from: contents)
    }

    /// The selection from what was read.
    package func select(from contents: DeadLetterFiles.Contents) -> DeadLetterListingResult {
        var entries = contents.entries.filter {
            filter.matches(
                receivedMs: $0.letter.receivedMs, topic: String(decoding: $0.letter.topic, as: UTF8.self),
                reason: $0.letter.reason)
        }
        var counts: [RejectReason: Int] = [:]
        for e in entries { counts[e.letter.reason, default: 0] += 1 }
        let matched = entries.count
        if let limit, entries.count > limit { entries.removeFirst(entries.count - limit) }
        return DeadLetterListingResult(
            entries: entries, matched: matched,
            byReason: counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) },
            total: contents.entries.count, directoryExists: contents.directoryExists, malformed: contents.malformed)
    }
}

/// What ``DeadLetterListing`` selected.
///
/// Threading: a value type.
package struct DeadLetterListingResult: Sendable {
    /// The letters shown, oldest first.
    package var entries: [DeadLetterFiles.Entry]
    /// Letters that passed the filter (before the limit).
    package var matched: Int
    /// Count per reason of the letters that passed, most first (ties by name).
    package var byReason: [(reason: RejectReason, count: Int)]
    /// Letters in the files read, before filtering.
    package var total: Int
    /// Whether `deadletter/` exists.
    package var directoryExists: Bool
    /// Lines skipped because they were not dead letters.
    package var malformed: MalformedLineTally

    /// The warning about skipped lines for stderr, or `nil` when none were.
    package var malformedSummary: String? {
        guard malformed.count > 0 else { return nil }
        let noun = malformed.count == 1 ? "line" : "lines"
        let location = malformed.firstLocation.map { " (first at \(TerminalSafeText.sanitize($0)))" } ?? ""
        return "warning: skipped \(malformed.count) malformed dead-letter \(noun)\(location)"
    }
}
