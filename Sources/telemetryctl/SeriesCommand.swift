import ArgumentParser
import TelemetryCore
import TelemetryInspect
import TelemetryStorage

/// `telemetryctl series`: which series exist per window.
struct SeriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "List the series (site, device, metric) present per window.",
        discussion: """
            For each series: the number of rollups and the first and last window start. \
            Without --window, every window present is listed.
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl
    @Option(help: ArgumentHelp("Only this rollup window, e.g. 1m (default: all windows).", valueName: "window"))
    var window: String?
    @OptionGroup var filters: FilterOptions
    @OptionGroup var time: TimeRangeOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var timeZone: TimeZoneOption

    func validate() throws {
        try validated { () throws(InspectError) in
            if let window, WindowSize(parsing: window) == nil { throw .invalidWindow(window) }
        }
    }

    func run() throws {
        let format = try format.parsed()
        let directory = RollupDirectory(dataDirectory: global.resolvedDataDir(parent: parent.global))
        var windows: [WindowSize]?
        if let window {
            let requested = try WindowOption.parse(window)
            guard let present = try directory.resolveWindowExplained(requested) else { return }
            windows = [present]
        }
        let filter = filters.filter(range: try time.range(now: Clock.nowMilliseconds))
        let result: SeriesCatalogResult
        do throws(RollupReadError) {
            result = try SeriesCatalog.collect(in: directory, windows: windows, filter: filter)
        } catch {
            throw directory.explained(error)
        }
        if result.series.isEmpty {
            Console.err(noMatchMessage("series", window: windows?.first, filter: filter))
        } else {
            Console.out(SeriesSummaryFormatter.render(result.series, format: format, timeZone: try timeZone.zone()), format: format)
        }
        reportMalformed(result.malformed)
    }
}
