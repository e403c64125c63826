import ArgumentParser
import TelemetryCommandLine
import TelemetryCore

/// `telemetryctl`: inspect the rollup files and status written by telemetryd.
///
/// Thin: each subcommand parses its arguments and calls into `TelemetryInspect`.
@main
struct TelemetryCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetryctl",
        abstract: "Inspect the rollups and status written by telemetryd.",
        discussion: """
            Reads <data-dir>/rollups/<window>/<YYYY-MM-DD>/<HH>.jsonl|csv, <data-dir>/status.json, \
            <data-dir>/devices.jsonl and <data-dir>/deadletter/<YYYY-MM-DD>.jsonl. \
            The data directory is --data-dir, else $TELEMETRYD_DATA_DIR, else /var/lib/telemetryd. \
            Times are UTC unless --tz says otherwise (tables only).
            """,
        version: TelemetryVersion.string,
        subcommands: [
            QueryCommand.self, SeriesCommand.self, TailCommand.self, PlotCommand.self, StatusCommand.self, DevicesCommand.self,
            DeadLettersCommand.self,
        ])

    /// `--data-dir` given before the subcommand (`telemetryctl --data-dir D query`).
    @OptionGroup var global: GlobalOptions

    /// argument-parser's `main`, with a did-you-mean for a mistyped subcommand.
    static func main() { mainSuggestingSubcommands() }
}
