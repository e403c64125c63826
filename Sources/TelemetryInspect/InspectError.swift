package import TelemetryCore

/// Everything that can go wrong while inspecting a data directory — besides reading the rollup
/// files, which is ``RollupReadError`` — each case worded so the message (``description``)
/// tells the user what to do next.
///
/// Cases marked *argument* are problems with what the user typed; those that can be detected
/// without the data directory (``isArgumentError``) are reported by the CLI as usage errors.
///
/// Threading: an immutable value type; safe to share.
package enum InspectError: Error, Sendable, Equatable, CustomStringConvertible {
    /// *argument*: a window name that is not a valid window size.
    case invalidWindow(String)
    /// *argument*: an unparseable `--from`/`--to` value (option name, text).
    case invalidTime(option: String, text: String)
    /// *argument*: `--from` is not before `--to`.
    case emptyTimeRange(from: Int64, to: Int64)
    /// *argument*: an unknown `--format`.
    case invalidFormat(String)
    /// *argument*: an unknown `--field`.
    case invalidField(String)
    /// *argument*: an unparseable duration such as `--quiet-for` (option name, text).
    case invalidDuration(option: String, text: String)
    /// *argument*: an unknown `devices --sort` key.
    case invalidSort(String)
    /// *argument*: a count such as `--limit`, `--width` or `-n` outside its allowed range.
    case invalidCount(option: String, value: Int, minimum: Int)
    /// *argument*: the plot filters match several series (the ones matched, sorted).
    case ambiguousSeries([SeriesKey], window: WindowSize)
    /// *argument*: an unknown `--tz` zone.
    case invalidTimeZone(String)
    /// *argument*: an unknown dead-letter `--reason`.
    case invalidReason(String)
    /// The data directory has no `status.json`.
    case statusMissing(dataDirectory: String)
    /// `status.json` exists but could not be read or parsed.
    case statusUnreadable(path: String, reason: String)
    /// The data directory has no `devices.jsonl`.
    case devicesMissing(dataDirectory: String)
    /// `devices.jsonl` exists but could not be read.
    case devicesUnreadable(path: String, reason: String)
    /// A `deadletter/` file could not be read.
    case deadLettersUnreadable(path: String, reason: String)

    /// Whether this is a problem with how an argument is written, detectable without looking at
    /// the data directory (the CLI reports these as usage errors).
    package var isArgumentError: Bool {
        switch self {
        case .invalidWindow, .invalidTime, .emptyTimeRange, .invalidFormat, .invalidField, .invalidCount,
             .invalidDuration, .invalidSort, .invalidTimeZone, .invalidReason:
            true
        case .ambiguousSeries, .statusMissing, .statusUnreadable, .devicesMissing, .devicesUnreadable,
             .deadLettersUnreadable:
            false
        }
    }

    package var description: String {
        switch self {
        case .invalidWindow(let text):
            return "invalid window '\(TerminalSafeText.sanitize(text))': expected \(WindowSize.expectedFormat)"
        case .invalidTime(let option, let text):
            return "invalid \(option) '\(TerminalSafeText.sanitize(text))': expected \(TimeArgument.expectedFormat)"
        case .emptyTimeRange(let from, let to):
            return "--from (\(UTCTimestamp.format(milliseconds: from))) must be before --to "
                + "(\(UTCTimestamp.format(milliseconds: to)))"
        case .invalidFormat(let text):
            return "invalid format '\(TerminalSafeText.sanitize(text))': expected \(OutputFormat.expectedFormat)"
        case .invalidField(let text):
            return "invalid field '\(TerminalSafeText.sanitize(text))': expected \(RollupField.expectedFormat)"
        case .invalidDuration(let option, let text):
            return "invalid \(option) '\(TerminalSafeText.sanitize(text))': expected \(TimeArgument.expectedDuration)"
        case .invalidSort(let text):
            return "invalid sort '\(TerminalSafeText.sanitize(text))': expected \(DeviceSort.expectedFormat)"
        case .invalidTimeZone(let text):
            return "invalid --tz '\(TerminalSafeText.sanitize(text))': expected \(DisplayTimeZone.expectedFormat)"
        case .invalidReason(let text):
            return "invalid --reason '\(TerminalSafeText.sanitize(text))': expected one of "
                + RejectReason.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidCount(let option, let value, let minimum):
            return "invalid \(option) \(value): expected a whole number of at least \(minimum)"
        case .ambiguousSeries(let keys, let window):
            func arg(_ value: String) -> String {
                let plain = value.unicodeScalars.allSatisfy {
                    $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-:@+".unicodeScalars.contains($0)
                }
                let safe = TerminalSafeText.sanitize(value)
                return plain && !value.isEmpty ? safe : "'" + safe.replacingAll("'", with: "'\\''") + "'"
            }
            let shown = keys.prefix(20).map {
                "  --site \(arg($0.site)) --device \(arg($0.device)) --metric \(arg($0.metric))"
            }
            let more = keys.count > 20 ? ["  … and \(keys.count - 20) more"] : []
            return "the filters match \(keys.count) series in the \(window.name) rollups; "
                + "plot shows one — narrow it with --site/--device/--metric, e.g.:\n"
                + (shown + more).joined(separator: "\n")
        case .statusMissing(let dir):
            return "no status.json in \(dir) — is telemetryd running with --data-dir \(dir)?"
        case .statusUnreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .devicesMissing(let dir):
            return "no devices.jsonl in \(dir) — telemetryd writes it every status interval; "
                + "is it running with --data-dir \(dir)?"
        case .devicesUnreadable(let path, let reason), .deadLettersUnreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        }
    }
}
