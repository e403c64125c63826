import ArgumentParser
import TelemetryInspect

/// `telemetryctl status`: the daemon's status.json for people.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show telemetryd's counters and state from <data-dir>/status.json.",
        discussion: """
            Rates are per second of uptime (updated − started). Fields this version does not \
            know are listed under "Other".
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl

    func run() throws {
        let report = try StatusReport.load(dataDirectory: global.resolvedDataDir(parent: parent.global))
        Console.out(report.render(now: Clock.nowMilliseconds))
    }
}
