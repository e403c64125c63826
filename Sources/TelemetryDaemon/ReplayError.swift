import TelemetryCore
package import TelemetryStorage

/// Why `telemetryd replay` refused or failed, each worded with what a person needs: which
/// capture, which data directory, when, and what to do.
///
/// Threading: a value type.
package enum ReplayError: Error, Sendable, CustomStringConvertible {
    /// The capture's content is in the data directory's ledger (`state/replayed`): replaying
    /// it again would append every rollup a second time.
    case alreadyReplayed(capture: String, previous: ReplayLedger.Entry, dataDirectory: String)
    /// The same content is given twice in one replay.
    case givenTwice(capture: String, sameAs: String)
    /// The replay ran but could not write all of its output (`reason`: the last file error);
    /// the capture is not recorded as replayed.
    case outputFailed(dataDirectory: String, reason: String)

    package var description: String {
        switch self {
        case .alreadyReplayed(let capture, let previous, let dataDirectory):
            let how = previous.path == capture ? "" : " as \(previous.path)"
            return "capture \(capture) was already replayed into \(dataDirectory)\(how) at "
                + "\(UTCTimestamp.format(milliseconds: previous.replayedMs)) (same content, \(previous.bytes) bytes); "
                + "replaying it again would count its readings twice. Pass --force to replay it anyway"
        case .givenTwice(let capture, let sameAs):
            return "capture \(capture) has the same content as \(sameAs), given before it; "
                + "replaying both would count its readings twice. Pass --force to replay it anyway"
        case .outputFailed(let dataDirectory, let reason):
            return "the replay could not write all of its output into \(dataDirectory): \(reason); "
                + "its captures are not recorded as replayed"
        }
    }
}
