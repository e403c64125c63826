package import TelemetryCore

/// Which dead letters `telemetryctl deadletters` shows: by reason (any of `reasons`; empty:
/// all), by topic (any of `topics`, each an exact topic or an MQTT filter with `+` for one
/// level and a final `#` for any number; empty: all), and by receipt time (`range`, on
/// `received`: `from` inclusive, `to` exclusive).
///
/// Threading: an immutable value type.
package struct DeadLetterFilter: Sendable, Equatable {
    package var reasons: Set<RejectReason>
    package var topics: [String]
    package var range: TimeRange

    package init(reasons: Set<RejectReason> = [], topics: [String] = [], range: TimeRange = .unbounded) {
        self.reasons = reasons
        self.topics = topics
        self.range = range
    }

    /// Parses `--reason` values (repeatable, comma lists); throws ``InspectError/invalidReason(_:)``.
    package static func reasons(_ values: [String]) throws(InspectError) -> Set<RejectReason> {
        var out: Set<RejectReason> = []
        for value in RollupFilter.values(values) {
            guard let reason = RejectReason(rawValue: value.lowercased().replacingAll("-", with: "_")) else {
                throw .invalidReason(value)
            }
            out.insert(reason)
        }
        return out
    }

    /// Whether `letter` passes.
    package func matches(receivedMs: Int64, topic: String, reason: RejectReason) -> Bool {
        (reasons.isEmpty || reasons.contains(reason))
            && (topics.isEmpty || topics.contains { Self.topic(topic, matches: $0) })
            && range.contains(receivedMs)
    }

    /// Whether `topic` matches the MQTT topic filter `filter` (`+` one level, a final `#` the
    /// rest, including none; any other filter must equal the topic).
    package static func topic(_ topic: String, matches filter: String) -> Bool {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        let parts = filter.split(separator: "/", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() {
            if part == "#", i == parts.count - 1 { return true }
            guard i < levels.count else { return false }
            if part != "+", part != levels[i] { return false }
        }
        return levels.count == parts.count
    }

    /// The conditions in words, for the "nothing matched" message.
    package var summary: String {
        var parts: [String] = []
        if !reasons.isEmpty { parts.append("reason " + reasons.sorted().map(\.rawValue).joined(separator: ", ")) }
        if !topics.isEmpty { parts.append("topic " + topics.joined(separator: ", ")) }
        if let from = range.from { parts.append("from " + UTCTimestamp.formatSeconds(milliseconds: from)) }
        if let to = range.to { parts.append("to " + UTCTimestamp.formatSeconds(milliseconds: to)) }
        return TerminalSafeText.sanitize(parts.joined(separator: "; "))
    }
}
