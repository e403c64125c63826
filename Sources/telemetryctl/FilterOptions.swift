import ArgumentParser
import TelemetryCore
import TelemetryInspect

/// `--site`, `--device`, `--metric`: exact-match tag filters, repeatable or comma lists.
struct FilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this site (exact; repeat or comma-separate for several).", valueName: "site"))
    var site: [String] = []

    @Option(help: ArgumentHelp("Only this device (exact; repeat or comma-separate for several).", valueName: "device"))
    var device: [String] = []

    @Option(help: ArgumentHelp("Only this metric, e.g. pm25 or power.voltage (exact; repeat or comma-separate).",
                               valueName: "metric"))
    var metric: [String] = []

    /// The tag part of a filter, with `range`.
    func filter(range: TimeRange = .unbounded) -> RollupFilter {
        RollupFilter(
            sites: RollupFilter.values(site), devices: RollupFilter.values(device),
            metrics: RollupFilter.values(metric), range: range)
    }
}

/// `--site`, `--device` for `devices`: the same exact-match rule as ``FilterOptions`` (there
/// is no metric in a device's health).
struct DeviceFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this site (exact; repeat or comma-separate for several).", valueName: "site"))
    var site: [String] = []

    @Option(help: ArgumentHelp("Only this device (exact; repeat or comma-separate for several).", valueName: "device"))
    var device: [String] = []

    /// The device filter, with the other conditions.
    func filter(quietForMs: Int64? = nil, problemsOnly: Bool = false) -> DeviceFilter {
        DeviceFilter(
            sites: RollupFilter.values(site), devices: RollupFilter.values(device), quietForMs: quietForMs,
            problemsOnly: problemsOnly)
    }
}

/// `--window`: which rollup window to read.
struct WindowOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Rollup window, e.g. 10s, 1m, 1h (default: the smallest window present).", valueName: "window"))
    var window: String?

    /// The parsed window, or `nil` when not given.
    func parsed() throws(InspectError) -> WindowSize? {
        guard let window else { return nil }
        return try Self.parse(window)
    }

    /// Parses a window name or throws ``InspectError/invalidWindow(_:)``.
    static func parse(_ text: String) throws(InspectError) -> WindowSize {
        guard let size = WindowSize(parsing: text) else { throw .invalidWindow(text) }
        return size
    }

    func validate() throws {
        try validated { () throws(InspectError) in _ = try parsed() }
    }
}

/// `--from`, `--to`: a range of window starts.
struct TimeRangeOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Only windows starting at or after this time: RFC 3339, a UTC date (2026-11-24), now, or -30m/-1h/-2d.",
        valueName: "time"))
    var from: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Only windows starting before this time (same forms as --from).", valueName: "time"))
    var to: String?

    /// The range relative to `now` (epoch ms).
    func range(now: Int64) throws(InspectError) -> TimeRange {
        let lower = try from.map { (text) throws(InspectError) in try TimeArgument.parse(text, now: now, option: "--from") }
        let upper = try to.map { (text) throws(InspectError) in try TimeArgument.parse(text, now: now, option: "--to") }
        return try TimeRange(from: lower, to: upper)
    }

    func validate() throws {
        try validated { () throws(InspectError) in _ = try range(now: Clock.nowMilliseconds) }
    }
}

/// `--format`.
struct FormatOption: ParsableArguments {
    @Option(help: ArgumentHelp("Output format: table, json (JSON Lines) or csv.", valueName: "format"))
    var format: String = "table"

    func parsed() throws(InspectError) -> OutputFormat {
        guard let f = OutputFormat(rawValue: format.lowercased()) else { throw .invalidFormat(format) }
        return f
    }

    func validate() throws {
        try validated { () throws(InspectError) in _ = try parsed() }
    }
}

/// Runs `body`, turning an ``InspectError`` into a `ValidationError` (reported with usage).
func validated(_ body: () throws(InspectError) -> Void) throws {
    do {
        try body()
    } catch {
        throw ValidationError(error.description)
    }
}
