import Foundation
package import Logging
import TelemetryCore
import TelemetryStorage

/// `telemetryd replay`: runs capture files through the full pipeline, closes every window
/// at the end, and reports what happened.
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
    /// cannot be read (its open windows are then not written) and throws its error.
    package func run(captures: [String]) async throws -> Summary {
        for path in captures where !FileManager.default.isReadableFile(atPath: path) {
            throw StorageError("read capture", path: path, errno: ENOENT)
        }
        let pipeline = try IngestPipeline(configuration: configuration, mode: .replay, logger: logger)
        let started = ContinuousClock.now
        pipeline.start()
        let failure = await onDedicatedThread(named: "telemetryd-replay") { () -> StorageError? in
            let replayer = CaptureReplayer(producer: pipeline.makeProducer())
            do throws(StorageError) {
                for path in captures { try replayer.replay(path: path) }
                return nil
            } catch {
                return error
            }
        }
        let status = await pipeline.finish(failure == nil ? .endOfInput : .stop)
        if let failure { throw failure }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Summary(
            messages: status.received + (status.deadLettersByReason[.badCaptureLine] ?? 0),
            readings: status.readings, deadLetters: status.deadLetters,
            rollups: status.rollupsWritten, seconds: seconds)
    }
}
