import ArgumentParser
import Foundation
import TelemetryCore
import TelemetryInspect
import TelemetryStorage

/// `telemetryctl plot`: one series over time as a terminal chart.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Chart one series over time in the terminal.",
        discussion: """
            The filters must select exactly one series (site, device, metric); if they match \
            several, they are listed so you can narrow them. Blank columns are windows without \
            data. Example:
              telemetryctl plot --metric pm25 --site hanoi --window 1m --from -2h
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl
    @OptionGroup var window: WindowOption
    @OptionGroup var filters: FilterOptions

    @Option(help: ArgumentHelp(
        "Which value to plot: mean, min, max, sum, count, first, last or stddev.", valueName: "field"))
    var field = "mean"

    @OptionGroup var time: TimeRangeOptions

    @Option(parsing: .unconditional, help: ArgumentHelp("Chart width in columns (default: the terminal width).", valueName: "n"))
    var width: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Chart height in rows (plot area, without title and axes).", valueName: "n"))
    var height = 12

    func validate() throws {
        if filters.metric.isEmpty { throw ValidationError("plot needs --metric (e.g. --metric pm25)") }
        try validated { () throws(InspectError) in
            _ = try parsedField()
            if let width, width < 20 { throw .invalidCount(option: "--width", value: width, minimum: 20) }
            if height < 2 { throw .invalidCount(option: "--height", value: height, minimum: 2) }
        }
    }

    func parsedField() throws(InspectError) -> RollupField {
        guard let f = RollupField(rawValue: field.lowercased()) else { throw .invalidField(field) }
        return f
    }

    func run() throws {
        let field = try parsedField()
        let range = try time.range(now: Clock.nowMilliseconds)
        let directory = RollupDirectory(dataDirectory: global.resolvedDataDir(parent: parent.global))
        guard let window = try resolveWindow(window, in: directory) else { return }
        let filter = filters.filter(range: range)
        let result = try RollupQuery(window: window, filter: filter).run(in: directory)
        reportMalformed(result.malformed)
        let keys = Set(result.rows.map(\.series)).sorted()
        guard let key = keys.first else {
            Console.err(noMatchMessage("rollups", window: window, filter: filter, defaulted: self.window.window == nil))
            return
        }
        guard keys.count == 1 else { throw InspectError.ambiguousSeries(keys, window: window) }
        let aggregation: ChartRenderer.Aggregation =
            switch field {
            case .min: .min
            case .max: .max
            default: .mean
            }
        let chart = ChartRenderer(width: width ?? TerminalSize.columns(), height: height)
        let title = "\(key.metric) \(field.rawValue) · \(key.site) / \(key.device) · \(window.name) windows"
        Console.out(chart.render(
            title: title,
            points: result.rows.map { ChartPoint(time: $0.start, value: field.value(in: $0)) },
            step: window.milliseconds, from: range.from, to: range.to, aggregation: aggregation))
    }
}

/// The terminal's width, for charts that fill it.
enum TerminalSize {
    /// `$COLUMNS`, else the width of the terminal on stdout, else 80.
    static func columns() -> Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n >= 20 { return n }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 { return Int(size.ws_col) }
        return 80
    }
}
