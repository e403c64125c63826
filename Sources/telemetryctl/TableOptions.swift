import ArgumentParser
import TelemetryInspect

/// `--tz`: the zone table times are shown in (files, json and csv stay UTC).
struct TimeZoneOption: ParsableArguments {
    @Option(name: .customLong("tz"), help: ArgumentHelp(
        "Show table times in this zone: UTC (default), an offset like +07:00, or a zone like Asia/Ho_Chi_Minh. Files, json and csv stay UTC.",
        valueName: "zone"))
    var timeZone: String?

    /// The zone to show times in.
    func zone() throws(InspectError) -> DisplayTimeZone {
        try timeZone.map { (text) throws(InspectError) in try DisplayTimeZone(parsing: text) } ?? .utc
    }

    func validate() throws {
        try validated { () throws(InspectError) in _ = try zone() }
    }
}

/// `--precision`, `--tz`: how rollup tables show numbers and times (json and csv keep the
/// files' full precision and UTC).
struct TableOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Decimals for every number column of a table (default: as many as the values need, up to 6).",
        valueName: "n"))
    var precision: Int?

    @OptionGroup var timeZone: TimeZoneOption

    /// The rollup table style (`showsWindow` when rows of several windows are shown).
    func style(showsWindow: Bool = false) throws(InspectError) -> RollupTable.Style {
        RollupTable.Style(precision: precision, timeZone: try timeZone.zone(), showsWindow: showsWindow)
    }

    func validate() throws {
        try validated { () throws(InspectError) in
            if let precision, precision < 0 || precision > 12 {
                throw .invalidCount(option: "--precision", value: precision, minimum: 0)
            }
        }
    }
}
