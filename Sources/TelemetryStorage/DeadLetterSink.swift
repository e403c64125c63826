import Synchronization
import TelemetryCore

/// Appends dead letters to `deadletter/<YYYY-MM-DD>.jsonl` (UTC day of receipt).
///
/// Any ingest thread may `append`; lines are buffered in memory and written, whole, by
/// `flush` (called by the aggregator thread about once a second and at shutdown), which
/// also fsyncs. The buffer is bounded: beyond `maxBufferedBytes` further dead letters are
/// counted in `overflowed` but not kept, so a flood of garbage cannot exhaust memory.
///
/// Threading: `Sendable`; the buffer is behind a `Mutex`, file I/O happens only in `flush`,
/// which must be called from one thread at a time.
package final class DeadLetterSink: Sendable {
    package let directory: DataDirectory
    package let maxBufferedBytes: Int
    private struct State {
        var pending: [(day: String, line: [UInt8])] = []
        var bytes = 0
        var overflowed = 0
        var written = 0
    }
    private let state = Mutex(State())

    package init(directory: DataDirectory, maxBufferedBytes: Int = 16 << 20) {
        self.directory = directory
        self.maxBufferedBytes = maxBufferedBytes
    }

    /// Queues a dead letter for the next flush.
    package func append(_ letter: DeadLetter) {
        let line = letter.jsonLine()
        let day = UTCTimestamp.dayString(milliseconds: letter.receivedMs)
        state.withLock { s in
            guard s.bytes + line.count <= maxBufferedBytes else { s.overflowed += 1; return }
            s.pending.append((day, line))
            s.bytes += line.count
        }
    }

    /// Dead letters dropped, since creation, because the buffer was full (never written
    /// anywhere, so status.json is the only record of them). Safe to read from any thread.
    package var overflowed: Int { state.withLock { $0.overflowed } }
    /// Dead letters written to files so far.
    package var written: Int { state.withLock { $0.written } }

    /// Writes and fsyncs everything queued; with a `journal`, each file's length is recorded
    /// there before this epoch's first append to it.
    package func flush(journal: OutputJournal? = nil) throws(StorageError) {
        let batch = state.withLock { s -> [(day: String, line: [UInt8])] in
            defer { s.pending.removeAll(); s.bytes = 0 }
            return s.pending
        }
        guard !batch.isEmpty else { return }
        try FileSystem.makeDirectory(directory.deadLetters)
        var byDay: [String: [UInt8]] = [:]
        for (day, line) in batch { byDay[day, default: []].append(contentsOf: line) }
        for (day, bytes) in byDay.sorted(by: { $0.key < $1.key }) {
            let path = "\(directory.deadLetters)/\(day).jsonl"
            try journal?.willAppend(to: path)
            let file = try AppendOnlyFile(path: path)
            try file.append(bytes)
            try file.sync()
        }
        state.withLock { $0.written += batch.count }
    }
}
