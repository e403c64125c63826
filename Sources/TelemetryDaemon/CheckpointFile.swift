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
        let data: [UInt8]
        do {
            guard let bytes = try FileSystem.readAll(path) else { return }
            data = bytes
        } catch {
            logger.error("cannot read checkpoint: \(error)")
            return
        }
        do {
            let checkpoint = try AggregatorCheckpoint(json: data)
            aggregator.restore(checkpoint)
            moveAside(".restored")
            logger.info("restored checkpoint: \(checkpoint.open.count) open windows, \(checkpoint.devices.count) devices")
        } catch {
            logger.error("ignoring unreadable checkpoint \(path): \(error)")
            moveAside(".unreadable")
        }
    }

    /// Renames the checkpoint to `<path><suffix>`. If that fails it must not be restored
    /// again, so the failure is logged at the highest level.
    private func moveAside(_ suffix: String) {
        do { try FileSystem.move(path, to: path + suffix) } catch {
            logger.critical("\(error); remove \(path) before the next start, or its windows are restored twice")
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
