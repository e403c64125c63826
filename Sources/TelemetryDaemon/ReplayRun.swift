import Foundation
import Logging
import TelemetryCore
import TelemetryStorage

/// `telemetryd replay`: runs capture files through the full pipeline, closes every window
/// at the end, and reports what happened.
///
/// Threading: `run` blocks the calling thread (the single producer) while the pipeline's
/// aggregator thread works alongside.
public struct ReplayRun {
    /// The one-line outcome printed at the end.
    public struct Summary: Sendable, Equatable, CustomStringConvertible {
        public var messages: Int
        public var readings: Int
        public var deadLetters: Int
        public var rollups: Int
        public var seconds: Double

        public var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }

        public var description: String {
            let rate = Int(messagesPerSecond.rounded())
            return "replayed \(messages) messages: \(readings) readings, \(deadLetters) dead letters, "
                + "\(rollups) rollups in \(String(format: "%.3f", seconds)) s (\(rate) messages/s)"
        }
    }

    public let configuration: DaemonConfiguration
    public let logger: Logger

    public init(configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run(captures: [String]) throws -> Summary {
        for path in captures where !FileManager.default.isReadableFile(atPath: path) {
            throw StorageError("read capture", path: path, errno: ENOENT)
        }
        let pipeline = try IngestPipeline(
            configuration: configuration, mode: "replay", logger: logger)
        let started = DispatchTime.now()
        pipeline.start()
        let replayer = CaptureReplayer(producer: pipeline.makeProducer())
        var failure: (any Error)?
        for path in captures {
            do { try replayer.replay(path: path) } catch { failure = error; break }
        }
        let status = pipeline.finish(closingAllWindows: failure == nil)
        if let failure { throw failure }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return Summary(
            messages: status.received + (status.deadLettersByReason[.badCaptureLine] ?? 0),
            readings: status.readings, deadLetters: status.deadLetters,
            rollups: status.rollupsWritten, seconds: seconds)
    }
}
