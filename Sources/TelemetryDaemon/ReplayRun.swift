import Foundation
package import Logging
package import TelemetryCore
import TelemetryStorage

/// `telemetryd replay`: runs capture files through the full pipeline, closes every window
/// at the end, and reports what happened.
///
/// A capture whose content was already replayed into the data directory (its
/// `ReplayLedger`, `state/replayed`) is refused before any file is touched, unless `force`:
/// replaying it again would append every rollup a second time. Captures are recorded in the
/// ledger once their replay has written all of its output.
///
/// Threading: `run` reads the captures on a thread of its own (the single producer) while the
/// pipeline's aggregator thread works alongside; the caller's task suspends meanwhile.
package struct ReplayRun {
    /// The one-line outcome printed at the end.
    package struct Summary: Sendable, Equatable, CustomStringConvertible {
        package var messages: Int
        package var readings: Int
        package var deadLetters: Int
        package var rollups: Int
        package var seconds: Double
        /// The captures that had lines that are not capture lines (also logged as warnings).
        package var badLines: [BadCaptureLines] = []

        package var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }

        package var description: String {
            let rate = Int(messagesPerSecond.rounded())
            return "replayed \(messages) messages: \(readings) readings, \(deadLetters) dead letters, "
                + "\(rollups) rollups in \(String(format: "%.3f", seconds)) s (\(rate) messages/s)"
        }
    }

    package let configuration: DaemonConfiguration
    package let logger: Logger

    package init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Replays `captures` in order and returns what happened. Stops at the first capture that
    /// cannot be read (its open windows are then not written) and throws its error. Throws
    /// `ReplayError.alreadyReplayed` / `.givenTwice` (changing no file) for content replayed
    /// before or given twice, unless `force`, and `.outputFailed` when files refused the output.
    /// `payloadEncoding` says how every capture's payloads are written (`CapturePayloadEncoding`).
    /// A capture with bad lines is logged as a warning that says what to do (``BadCaptureLines``).
    package func run(
        captures: [String], force: Bool = false, payloadEncoding: CapturePayloadEncoding = .raw
    ) async throws -> Summary {
        for path in captures where !FileManager.default.isReadableFile(atPath: path) {
            throw StorageError("read capture", path: path, errno: ENOENT)
        }
        let directory = configuration.dataDirectory
        let ledger = ReplayLedger(directory: directory)
        let identities = try captures.map { path throws(StorageError) in (path, try ContentDigest.ofFile(path)) }
        if !force { try refuseRepeats(identities, ledger: ledger) }
        let pipeline = try IngestPipeline(configuration: configuration, mode: .replay, logger: logger)
        let started = ContinuousClock.now
        pipeline.start()
        let (failure, badLines) = await onDedicatedThread(named: "td-replay") { () -> (StorageError?, [BadCaptureLines]) in
            let replayer = CaptureReplayer(producer: pipeline.makeProducer(), payloadEncoding: payloadEncoding)
            do throws(StorageError) {
                for path in captures { try replayer.replay(path: path) }
                return (nil, replayer.badLines)
            } catch {
                return (error, replayer.badLines)
            }
        }
        for bad in badLines { logger.warning("\(bad)") }
        let status = await pipeline.finish(failure == nil ? .endOfInput : .stop)
        if let failure { throw failure }
        if let error = status.lastError { throw ReplayError.outputFailed(dataDirectory: directory.root, reason: error) }
        let finishedMs = WallClock.nowMs()
        try ledger.record(identities.map { path, identity in
            ReplayLedger.Entry(digest: identity.digest, bytes: identity.bytes, replayedMs: finishedMs, path: path)
        })
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Summary(
            messages: status.received + (status.deadLettersByReason[.badCaptureLine] ?? 0),
            readings: status.readings, deadLetters: status.deadLetters,
            rollups: status.rollupsWritten, seconds: seconds, badLines: badLines)
    }

    /// Throws for the first capture whose content is in the ledger or given earlier in `identities`.
    private func refuseRepeats(
        _ identities: [(path: String, identity: (digest: ContentDigest, bytes: Int64))], ledger: ReplayLedger
    ) throws {
        var given: [ContentDigest: String] = [:]
        for (path, identity) in identities {
            if let previous = try ledger.lastReplay(of: identity.digest, bytes: identity.bytes) {
                throw ReplayError.alreadyReplayed(
                    capture: path, previous: previous, dataDirectory: configuration.dataDirectory.root)
            }
            if let earlier = given[identity.digest] { throw ReplayError.givenTwice(capture: path, sameAs: earlier) }
            given[identity.digest] = path
        }
    }
}
