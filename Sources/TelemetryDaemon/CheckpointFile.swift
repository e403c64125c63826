import Logging
import TelemetryCore
import TelemetryStorage

/// `<data_dir>/state/checkpoint.json`: the aggregator's state (open windows, per-device seq
/// state) as of one write-ahead-log position (`appliedLSN`), and the output epoch it begins.
///
/// Invariants: replaced atomically, and only once the rollup and dead-letter files hold
/// exactly the output of the state it describes; so recovery = this state, files cut back
/// by the epoch's `OutputJournal`, and the log replayed after `appliedLSN`. Restoring the
/// same checkpoint twice (a crash soon after a restart) is therefore harmless. An unreadable
/// file is renamed `.unreadable` and logged, never silently reused.
///
/// Threading: a value; used during start-up and then by the aggregator thread only.
struct CheckpointFile {
    let directory: DataDirectory
    let logger: Logger

    var path: String { directory.state + "/checkpoint.json" }

    /// The checkpoint, or nil when there is none (or it was unreadable, which is logged).
    func load() -> AggregatorCheckpoint? {
        let data: [UInt8]
        do {
            guard let bytes = try FileSystem.readAll(path) else { return nil }
            data = bytes
        } catch {
            logger.error("cannot read checkpoint: \(error)")
            return nil
        }
        do {
            let checkpoint = try AggregatorCheckpoint(json: data)
            logger.info(
                "restored checkpoint: \(checkpoint.open.count) open windows, \(checkpoint.devices.count) devices, log position \(checkpoint.appliedLSN ?? 0)")
            return checkpoint
        } catch {
            logger.error("ignoring unreadable checkpoint \(path): \(error)")
            do { try FileSystem.move(path, to: path + ".unreadable") } catch {
                logger.critical("\(error); remove \(path) before the next start")
            }
            return nil
        }
    }

    /// Deletes the checkpoint (without the write-ahead log, a restored checkpoint must not be
    /// restored again after a crash: the windows it held may have been written since).
    func remove() throws(StorageError) {
        try FileSystem.remove(path)
    }

    /// Replaces the checkpoint with `checkpoint` (atomically, durably).
    func write(_ checkpoint: AggregatorCheckpoint) throws(StorageError) {
        try FileSystem.makeDirectory(directory.state)
        try FileSystem.replaceAtomically(path, with: checkpoint.jsonBytes())
    }
}
