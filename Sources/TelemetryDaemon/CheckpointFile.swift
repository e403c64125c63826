import Foundation
import Logging
import TelemetryCore
import TelemetryStorage

/// `<data_dir>/state/checkpoint.json`: the open windows and per-device seq state an
/// aggregator had when it stopped, so the next start goes on where it left off.
///
/// Invariants: a checkpoint is restored at most once — after restoring, the file is renamed
/// `checkpoint.json.restored`, so a crash later in the run cannot make a later start restore
/// it again (which would count its windows twice). An unreadable file is renamed
/// `.unreadable` and logged, never silently reused.
///
/// Threading: a value; used by the aggregator thread only.
struct CheckpointFile {
    let directory: DataDirectory
    let logger: Logger

    var path: String { directory.state + "/checkpoint.json" }

    /// Restores the checkpoint into `aggregator`, if there is one.
    func restore(into aggregator: WindowAggregator) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        do {
            let checkpoint = try AggregatorCheckpoint(json: data)
            aggregator.restore(checkpoint)
            _ = rename(path, path + ".restored")
            logger.info("restored checkpoint: \(checkpoint.open.count) open windows, \(checkpoint.devices.count) devices")
        } catch {
            logger.error("ignoring unreadable checkpoint \(path): \(error)")
            _ = rename(path, path + ".unreadable")
        }
    }

    /// Writes `aggregator`'s open windows and seq state (atomically replacing the file).
    func write(from aggregator: WindowAggregator) {
        do {
            try FileSystem.makeDirectory(directory.state)
            try FileSystem.replaceAtomically(path, with: aggregator.checkpoint().jsonBytes())
            logger.info("checkpoint written: \(aggregator.openWindowCount) open windows")
        } catch {
            logger.error("cannot write checkpoint \(path): \(error)")
        }
    }
}
