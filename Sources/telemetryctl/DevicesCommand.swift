import ArgumentParser
import TelemetryCore
import TelemetryInspect

/// `telemetryctl devices`: per-device health from <data-dir>/devices.jsonl.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "Show each device's health: last seen, clock offset, messages, late and dead letters.",
        discussion: """
            Reads <data-dir>/devices.jsonl, which telemetryd rewrites every status interval. \
            "last seen" and --quiet-for are measured from the newest last arrival in the file \
            (the ingest clock at the last message taken; in a replay, capture time), unless \
            --as-of says otherwise (--as-of now: the wall clock, which also shows a fleet that went \
            quiet all at once). The offset is event time minus arrival time, smoothed: + means the \
            device's clock is fast. --problems keeps devices with too-late or late readings, dead \
            letters, gaps, restarts, or a clock more than 1 minute off. Filters apply before \
            --sort, --limit after. Examples:
              telemetryctl devices --sort offset --limit 5
              telemetryctl devices --quiet-for 10m --sort last-seen
              telemetryctl devices --problems --site hanoi
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl
    @OptionGroup var filters: DeviceFilterOptions

    @Option(name: .customLong("quiet-for"), help: ArgumentHelp(
        "Only devices not heard from for longer than this, e.g. 10m, 1h30m, 2d.", valueName: "duration"))
    var quietFor: String?

    @Flag(help: "Only devices with a problem (too late, late, dead letters, gaps, restarts, clock off by > 1 min).")
    var problems = false

    @Option(help: ArgumentHelp(
        "Order: \(DeviceSort.allCases.map(\.rawValue).joined(separator: ", ")). "
            + "offset: largest |offset| first; last-seen: oldest first; counts: largest first.",
        valueName: "key"))
    var sort = DeviceSort.device.rawValue

    @Option(parsing: .unconditional, help: ArgumentHelp("Print at most this many devices (the first in --sort order).", valueName: "n"))
    var limit: Int?

    @Option(name: .customLong("as-of"), parsing: .unconditional, help: ArgumentHelp(
        "Measure ages from this time instead of the newest arrival in the file: now, RFC 3339, or -1h.",
        valueName: "time"))
    var asOf: String?

    @OptionGroup var format: FormatOption

    func validate() throws {
        try validated { () throws(InspectError) in
            _ = try listing(now: Clock.nowMilliseconds)
            if let limit, limit < 1 { throw .invalidCount(option: "--limit", value: limit, minimum: 1) }
        }
    }

    /// The listing the arguments ask for.
    func listing(now: Int64) throws(InspectError) -> DeviceListing {
        guard let order = DeviceSort(rawValue: sort.lowercased()) else { throw .invalidSort(sort) }
        let quiet = try quietFor.map { (text) throws(InspectError) in try TimeArgument.parseDuration(text, option: "--quiet-for") }
        let reference = try asOf.map { (text) throws(InspectError) in try TimeArgument.parse(text, now: now, option: "--as-of") }
        return DeviceListing(
            filter: filters.filter(quietForMs: quiet, problemsOnly: problems), sort: order, limit: limit, asOfMs: reference)
    }

    func run() throws {
        let format = try format.parsed()
        let listing = try listing(now: Clock.nowMilliseconds)
        let result = try listing.run(dataDirectory: global.resolvedDataDir(parent: parent.global))
        if result.lines.isEmpty {
            let summary = listing.filter.summary
            Console.err(result.total == 0
                ? "no devices in devices.jsonl yet — telemetryd lists a device once it has taken a message from it"
                : "no devices match" + (summary.isEmpty ? "" : " (\(summary))") + " among \(result.total)")
        } else {
            Console.out(DeviceHealthFormatter.render(result, format: format), format: format)
        }
        if let summary = result.malformedSummary {
            Console.flush()
            Console.err(summary)
        }
    }
}
