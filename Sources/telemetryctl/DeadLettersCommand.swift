import ArgumentParser
import TelemetryCore
import TelemetryInspect

/// `telemetryctl deadletters`: the messages telemetryd could not take, from
/// <data-dir>/deadletter/<YYYY-MM-DD>.jsonl.
struct DeadLettersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletters",
        abstract: "List dead letters (messages not taken) by reason, topic and time, with a count by reason.",
        discussion: """
            Reads <data-dir>/deadletter/<YYYY-MM-DD>.jsonl (UTC day of receipt). --topic takes a \
            topic or an MQTT filter (+ one level, # the rest); --reason one of \
            \(RejectReason.allCases.map(\.rawValue).joined(separator: ", ")); both repeatable or \
            comma lists. --from/--to are on the receipt time. Tables show payloads safely: \
            control characters escaped, bytes that are not UTF-8 as hex, long payloads cut with \
            their length in bytes; json prints the file's lines, csv the whole payload (base64 \
            when it is not text). Examples:
              telemetryctl deadletters --reason bad_json --from -1h
              telemetryctl deadletters --topic 'vn/hanoi/#' --summary
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl

    @Option(help: ArgumentHelp("Only this reason, e.g. bad_json (repeat or comma-separate).", valueName: "reason"))
    var reason: [String] = []

    @Option(help: ArgumentHelp("Only this topic or MQTT filter, e.g. vn/hanoi/# (repeat for several).", valueName: "topic"))
    var topic: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Only dead letters received at or after this time: RFC 3339, a UTC date, now, or -30m/-1h/-2d.", valueName: "time"))
    var from: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Only dead letters received before this time.", valueName: "time"))
    var to: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Print at most this many (the newest).", valueName: "n"))
    var limit: Int?

    @Flag(help: "Print only the count by reason.")
    var summary = false

    @OptionGroup var format: FormatOption
    @OptionGroup var timeZone: TimeZoneOption

    func validate() throws {
        try validated { () throws(InspectError) in
            _ = try listing(now: Clock.nowMilliseconds)
            if let limit, limit < 1 { throw .invalidCount(option: "--limit", value: limit, minimum: 1) }
        }
    }

    /// The listing the arguments ask for.
    func listing(now: Int64) throws(InspectError) -> DeadLetterListing {
        let lower = try from.map { (text) throws(InspectError) in try TimeArgument.parse(text, now: now, option: "--from") }
        let upper = try to.map { (text) throws(InspectError) in try TimeArgument.parse(text, now: now, option: "--to") }
        let filter = DeadLetterFilter(
            reasons: try DeadLetterFilter.reasons(reason), topics: topic, range: try TimeRange(from: lower, to: upper))
        return DeadLetterListing(filter: filter, limit: limit)
    }

    func run() throws {
        let format = try format.parsed()
        let listing = try listing(now: Clock.nowMilliseconds)
        let dataDirectory = global.resolvedDataDir(parent: parent.global)
        let result = try listing.run(dataDirectory: dataDirectory)
        if result.matched == 0 {
            let conditions = listing.filter.summary
            Console.err(!result.directoryExists
                ? "no dead letters in \(dataDirectory) (no deadletter/ directory) — every message so far was taken, or is telemetryd running with --data-dir \(dataDirectory)?"
                : "no dead letters match" + (conditions.isEmpty ? "" : " (\(conditions))") + " among \(result.total)")
        } else if summary {
            Console.out(DeadLetterFormatter.summary(result, format: format), format: format)
        } else {
            Console.out(DeadLetterFormatter.render(result, format: format, timeZone: try timeZone.zone()), format: format)
        }
        if let warning = result.malformedSummary {
            Console.flush()
            Console.err(warning)
        }
    }
}
