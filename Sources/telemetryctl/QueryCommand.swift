import ArgumentParser
import TelemetryCore
import TelemetryInspect
import TelemetryStorage

/// `telemetryctl query`: rollups of one window matching filters, sorted by start.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the rollups that match the filters (every window, or the one --window names).",
        discussion: """
            Without --window every window present is shown, smallest first (tables get a window \
            column; json and csv rows carry theirs). Within a window rows are sorted by window \
            start, then site, device, metric; --limit applies per window. --from is inclusive and \
            --to exclusive, both on the window start. A --window that is not stored but is a \
            multiple of one that is (1d from 1h) is computed by merging the stored rows, exactly \
            (stderr says so). Examples:
              telemetryctl query --site hanoi --metric pm25 --from -1h
              telemetryctl query --window 1h --from 2026-11-24 --to 2026-11-25 --format csv
              telemetryctl query --window 1d --align +07:00 --metric energy_kwh
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl
    @OptionGroup var window: WindowOption
    @OptionGroup var filters: FilterOptions
    @OptionGroup var time: TimeRangeOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Print at most this many rows per window (the earliest).", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp(
        "Where a window computed by merging (one not stored, e.g. --window 1d from 1h rollups) starts: a UTC offset such as +07:00, as the daemon's windows.align (default UTC).",
        valueName: "offset"))
    var align: String?

    @OptionGroup var format: FormatOption
    @OptionGroup var table: TableOptions

    func validate() throws {
        if let limit, limit < 1 {
            throw ValidationError(InspectError.invalidCount(option: "--limit", value: limit, minimum: 1).description)
        }
        _ = try alignment()
    }

    /// `--align`, parsed (UTC when not given).
    func alignment() throws -> WindowAlignment {
        guard let align else { return .utc }
        guard let a = WindowAlignment(parsing: align) else {
            throw ValidationError("--align: got '\(align)'; expected \(WindowAlignment.expectedFormat)")
        }
        return a
    }

    func run() throws {
        let format = try format.parsed()
        let range = try time.range(now: Clock.nowMilliseconds)
        let directory = RollupDirectory(dataDirectory: global.resolvedDataDir(parent: parent.global))
        guard let plan = try RollupQueryPlan.make(requested: window.parsed(), alignment: alignment(), in: directory) else {
            Console.err("no rollups yet in \(directory.rollupsPath) — telemetryd writes them as windows close")
            return
        }
        for note in plan.notes { Console.err(note) }
        let filter = filters.filter(range: range)
        let result = try plan.run(filter: filter, limit: limit, in: directory)
        if result.rows.isEmpty {
            Console.err(noMatchMessage("rollups", window: plan.spansWindows ? nil : plan.windows.first, filter: filter))
        } else {
            let style = try table.style(showsWindow: plan.spansWindows)
            Console.out(RollupRowFormatter.render(result.rows, format: format, style: style), format: format)
        }
        reportMalformed(result.malformed)
    }
}
