/// The version of telemetryd, telemetryctl and telemetry-sim: the one home for the string
/// that `--version` prints on all three (argument-parser's `CommandConfiguration(version:)`).
///
/// Bump it with each release; the executables, their completions and man pages take it from here.
///
/// Threading: a constant.
package enum TelemetryVersion {
    /// The version, `MAJOR.MINOR.PATCH`.
    package static let string = "0.13.0"
}
