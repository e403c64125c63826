import ArgumentParser
import TelemetryInspect

/// `telemetryctl status`: the daemon's status.json for people.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show telemetryd's counters and state from <data-dir>/status.json.",
        discussion: """
            Rates are per second of uptime (updated − started). Fields this version does not \
            know are listed under "Other". --format json prints status.json as one JSON line \
            (for jq: telemetryctl status --format json | jq .counters.received); --format csv \
            prints key,value rows with nested keys flattened (counters.received).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var format: FormatOption
    @ParentCommand var parent: TelemetryCtl

    func run() throws {
        let format = try format.parsed()
        let report = try StatusReport.load(dataDirectory: global.resolvedDataDir(parent: parent.global))
        switch format {
        case .table: Console.out(report.render(now: Clock.nowMilliseconds))
        case .json: Console.out(report.jsonLine(), format: .json)
        case .csv: Console.out(report.csvLines(), format: .csv)
        }
    }
}
