import Synchronization
import TelemetryCore

/// Appends dead letters to `deadletter/<YYYY-MM-DD>.jsonl` (UTC day of receipt).
///
/// Any ingest thread may `append`; lines are buffered in memory and written, whole, by
/// `flush` (called by the aggregator thread about once a second and at shutdown), which
/// also fsyncs. A letter leaves the buffer only once its file has taken it durably: a flush
/// that fails (a full disk) keeps what it did not write — a day file it failed on is cut
/// back to where it was — and the next flush retries, so each letter is written exactly once.
/// The buffer is bounded: beyond `maxBufferedBytes` further dead letters are counted in
/// `overflowed` but not kept, so a flood of garbage cannot exhaust memory; when that begins
/// and ends is reported once each by ``takeOverflowChange()``.
///
/// Threading: `Sendable`; the buffer is behind a `Mutex`, file I/O happens only in `flush`,
/// which must be called from one thread at a time.
package final class DeadLetterSink: Sendable {
    package let directory: DataDirectory
    package let maxBufferedBytes: Int

    /// Whether letters are being dropped, as last reported.
    private enum Overflow {
        case keeping
        /// Dropping since the report that began the episode; `dropped` so far.
        case dropping(dropped: Int)
    }

    private struct State {
        var pending: [(day: String, line: [UInt8])] = []
        var bytes = 0
        var overflowed = 0
        var written = 0
        /// Dropped since the last `takeOverflowChange()`.
        var droppedSinceReport = 0
        var overflow = Overflow.keeping
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
            guard s.bytes + line.count <= maxBufferedBytes else {
                s.overflowed += 1
                s.droppedSinceReport += 1
                return
            }
            s.pending.append((day, line))
            s.bytes += line.count
        }
    }

    /// Dead letters dropped, since creation, because the buffer was full (never written
    /// anywhere, so status.json is the only record of them). Safe to read from any thread.
    package var overflowed: Int { state.withLock { $0.overflowed } }
    /// Dead letters written to files so far.
    package var written: Int { state.withLock { $0.written } }
    /// Dead letters waiting for a flush (including those a failed flush kept).
    package var pending: Int { state.withLock { $0.pending.count } }

    /// Whether dropping began or ended since the last call: `.began` at the first drop
    /// after a call that saw none, `.ended` at the first call that sees no drop after
    /// dropping; nil when nothing changed. Call it once per flush interval (the aggregator
    /// thread, next to `flush`) and log what it returns. Safe from any thread.
    package func takeOverflowChange() -> DeadLetterOverflow? {
        state.withLock { s in
            defer { s.droppedSinceReport = 0 }
            switch (s.overflow, s.droppedSinceReport) {
            case (.keeping, 0):
                return nil
            case (.keeping, let dropped):
                s.overflow = .dropping(dropped: dropped)
                return .began(dropped: dropped, bufferBytes: maxBufferedBytes)
            case (.dropping(let total), 0):
                s.overflow = .keeping
                return .ended(dropped: total)
            case (.dropping(let total), let dropped):
                s.overflow = .dropping(dropped: total + dropped)
                return nil
            }
        }
    }

    /// Writes and fsyncs everything queued, one file per day in day order; with a
    /// `journal`, each file's length is recorded there before this epoch's first append to
    /// it. On failure the letters of the days not written stay queued (and are retried by
    /// the next flush) and the error is thrown.
    package func flush(journal: OutputJournal? = nil) throws(StorageError) {
        // Appends only add at the end and only this (single) flusher removes, so the first
        // `batch.count` pending entries stay this batch until it is settled below.
        let batch = state.withLock { $0.pending }
        guard !batch.isEmpty else { return }
        var byDay: [String: [UInt8]] = [:]
        for (day, line) in batch { byDay[day, default: []].append(contentsOf: line) }
        var done: Set<String> = []
        var failure: StorageError?
        do throws(StorageError) {
            try FileSystem.makeDirectory(directory.deadLetters, inside: directory.root)
            for (day, bytes) in byDay.sorted(by: { $0.key < $1.key }) {
                try write(bytes, to: "\(directory.deadLetters)/\(day).jsonl", journal: journal)
                done.insert(day)
            }
        } catch {
            failure = error
        }
        state.withLock { s in
            var kept: [(day: String, line: [UInt8])] = []
            var removedBytes = 0
            for entry in s.pending[..<batch.count] {
                if done.contains(entry.day) { removedBytes += entry.line.count } else { kept.append(entry) }
            }
            s.written += batch.count - kept.count
            s.bytes -= removedBytes
            s.pending.replaceSubrange(..<batch.count, with: kept)
        }
        if let failure { throw failure }
    }

    /// Appends `bytes` to `path` durably, or leaves the file as it was.
    private func write(_ bytes: [UInt8], to path: String, journal: OutputJournal?) throws(StorageError) {
        try journal?.willAppend(to: path)
        let file = try AppendOnlyFile(path: path)
        let length = file.size
        try file.append(bytes)
        do throws(StorageError) {
            try file.sync()
        } catch {
            try? file.cut(to: length)
            throw error
        }
    }
}
