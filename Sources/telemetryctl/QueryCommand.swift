import ArgumentParser
import TelemetryInspect
import TelemetryStorage

/// `telemetryctl query`: rollups of one window matching filters, sorted by start.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the rollups of one window that match the filters.",
        discussion: """
            Rows are sorted by window start, then site, device, metric. --from is inclusive and \
            --to exclusive, both on the window start. Examples:
              telemetryctl query --site hanoi --metric pm25 --from -1h
              telemetryctl query --window 1h --from 2026-11-24 --to 2026-11-25 --format csv
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl
    @OptionGroup var window: WindowOption
    @OptionGroup var filters: FilterOptions
    @OptionGroup var time: TimeRangeOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Print at most this many rows (the earliest).", valueName: "n"))
    var limit: Int?

    @OptionGroup var format: FormatOption

    func validate() throws {
        if let limit, limit < 1 {
            throw ValidationError(InspectError.invalidCount(option: "--limit", value: limit, minimum: 1).description)
        }
    }

    func run() throws {
        let format = try format.parsed()
        let range = try time.range(now: Clock.nowMilliseconds)
        let directory = RollupDirectory(dataDirectory: global.resolvedDataDir(parent: parent.global))
        guard let window = try resolveWindow(window, in: directory) else { return }
        let filter = filters.filter(range: range)
        let result = try RollupQuery(window: window, filter: filter, limit: limit).run(in: directory)
        if result.rows.isEmpty {
            Console.err(noMatchMessage("rollups", window: window, filter: filter, defaulted: self.window.window == nil))
        } else {
            Console.out(RollupRowFormatter.render(result.rows, format: format), format: format)
        }
        reportMalformed(result.malformed)
    }
}
