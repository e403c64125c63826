package import TelemetryCore

/// Appends rollups to their hourly files: `rollups/<window>/<YYYY-MM-DD>/<HH>.<ext>`, by
/// the UTC date and hour of each window's start.
///
/// `write` appends whole lines (one `write(2)` per file per call), all or nothing: when one
/// file refuses, the files already appended to in that call are cut back, so the caller may
/// retry the same rollups without writing any twice. `flush` fsyncs every file written since
/// the last flush. A CSV file gets its header when created. No symbolic link is followed:
/// neither a linked window or day directory nor a linked hour file (see `FileSystem`). Open
/// handles are kept for the files being written; when more than `openFileLimit` are open,
/// a flush closes the ones not written since the previous flush.
///
/// Threading: owned by the thread that first writes to it (the aggregator thread); not
/// `Sendable`. `write`, `flush` and `reopen` check that in debug builds (`OwningThread`).
package final class RollupFileSink {
    package let directory: DataDirectory
    package let format: RollupFileFormat
    private var open: [String: AppendOnlyFile] = [:]
    private var dirty: Set<String> = []
    private var knownDirectories: Set<String> = []
    private var owner = OwningThread()
    /// Where each file's length is recorded before an epoch's first append to it (live mode;
    /// nil in a replay, which has no write-ahead log to recover from).
    package var journal: OutputJournal?
    /// Lines written since creation.
    package private(set) var linesWritten = 0
    private var encoder: RollupLineEncoder
    /// The files of the last few (window, hour)s rollups were written for: a fleet's window
    /// sizes close in turn, so their paths are worked out once, not per rollup.
    private var recentFiles: [(windowMs: Int64, hourStartMs: Int64, path: String)] = []
    private var nextRecent = 0
    /// The lines of one `write` call for one file; kept between calls with their capacity
    /// (up to `keptCapacity`: one large close must not pin its buffer for good).
    private struct FileBatch {
        static let keptCapacity = 1 << 20
        var path = ""
        var bytes: [UInt8] = []
        var lines = 0

        mutating func reset() {
            bytes.removeAll(keepingCapacity: bytes.capacity <= Self.keptCapacity)
            lines = 0
        }
    }
    private var batches: [FileBatch] = []

    /// How many files may stay open after a flush before idle ones are closed.
    static let openFileLimit = 32
    /// At most this many files are ever open at once: past it, every open file is synced and
    /// closed before another is opened. libmosquitto 2.0.11 waits on its socket with
    /// `select()`, which fails for descriptors ≥ 1024, so the daemon's other descriptors must
    /// stay well below that however many hours a backlog spans.
    static let openFileHardLimit = 256
    /// The files with an open handle (for tests).
    var openPaths: Set<String> { Set(open.keys) }

    package init(directory: DataDirectory, format: RollupFileFormat, percentiles: [Percentile] = Percentile.defaults) {
        self.directory = directory
        self.format = format
        self.encoder = RollupLineEncoder(format: format, percentiles: percentiles)
        self.csvHeader = encoder.csvHeader
    }

    /// The CSV header line of this sink's columns.
    private let csvHeader: [UInt8]

    /// The file a rollup belongs in.
    package func path(for r: Rollup) -> String {
        directory.rollupFile(window: r.window.name, startMs: r.startMs, format: format)
    }

    /// `path(for:)`, remembered for the last few (window, hour)s.
    private func cachedPath(for r: Rollup) -> String {
        let hour = r.startMs - ((r.startMs % 3_600_000) + 3_600_000) % 3_600_000
        for f in recentFiles.indices where recentFiles[f].windowMs == r.window.milliseconds && recentFiles[f].hourStartMs == hour {
            return recentFiles[f].path
        }
        let p = path(for: r)
        if recentFiles.count < 8 {
            recentFiles.append((r.window.milliseconds, hour, p))
        } else {
            recentFiles[nextRecent] = (r.window.milliseconds, hour, p)
            nextRecent = (nextRecent + 1) % 8
        }
        return p
    }

    /// Appends `rollups` (each to its own file), whole lines only.
    package func write(_ rollups: [Rollup]) throws(StorageError) {
        var pending = rollups
        try write(&pending)
    }

    /// Appends `rollups` and removes them from the array; when a file cannot be written, the
    /// rollups of the files that were written are removed and the rest stay, so a retry
    /// writes each line exactly once.
    package func write(_ rollups: inout [Rollup]) throws(StorageError) {
        owner.check()
        guard !rollups.isEmpty else { return }
        // The files of one call are few (a window size's hour each): found by a short search.
        // Their buffers are kept between calls (emptied, not freed), and which file each
        // rollup went to is needed only when one fails.
        var used = 0
        var current = -1
        rollups.withUnsafeBufferPointer { batch in
            for i in batch.indices {
                let p = cachedPath(for: batch[i])
                if current < 0 || batches[current].path != p {
                    if let k = batches[..<used].firstIndex(where: { $0.path == p }) {
                        current = k
                    } else {
                        if used == batches.count { batches.append(FileBatch()) }
                        batches[used].path = p
                        current = used
                        used += 1
                    }
                }
                encoder.append(batch[i], to: &batches[current].bytes)
                batches[current].lines += 1
            }
        }
        defer {
            for k in 0..<used { batches[k].reset() }
            if batches.count > used { batches.removeLast(batches.count - used) }
        }
        var written = 0
        do {
            for k in 0..<used {
                let f = batches[k]
                try journal?.willAppend(to: f.path)
                let file = try handle(f.path)
                if format == .csv, file.size == 0 { try file.append(csvHeader) }
                try file.append(f.bytes)
                dirty.insert(f.path)
                linesWritten += f.lines
                written += 1
            }
        } catch {
            let done = Set(batches[..<written].map(\.path))
            rollups.removeAll { done.contains(cachedPath(for: $0)) }
            throw error
        }
        rollups.removeAll(keepingCapacity: true)
    }

    /// Makes everything written so far durable, then applies the open-file rule: when more
    /// than `openFileLimit` files are open, those not written since the previous flush are
    /// closed (the files being written stay open however many they are).
    package func flush() throws(StorageError) {
        owner.check()
        for p in dirty.sorted() { try open[p]?.sync() }
        if open.count > Self.openFileLimit { open = open.filter { dirty.contains($0.key) } }
        dirty.removeAll()
    }

    /// Closes all files (they are reopened on the next write), e.g. on SIGHUP.
    package func reopen() throws(StorageError) {
        owner.check()
        try flush()
        open.removeAll()
    }

    private func handle(_ path: String) throws(StorageError) -> AppendOnlyFile {
        if let f = open[path] { return f }
        if open.count >= Self.openFileHardLimit {
            for p in dirty.sorted() { try open[p]?.sync() }
            dirty.removeAll()
            open.removeAll()
        }
        let dir = String(path[..<path.lastIndex(of: "/")!])
        if !knownDirectories.contains(dir) {
            try FileSystem.makeDirectory(dir, inside: directory.root)
            knownDirectories.insert(dir)
        }
        let f = try AppendOnlyFile(path: path)
        open[path] = f
        return f
    }

    /// Cuts torn last lines from every rollup and dead-letter file (run once at start-up,
    /// before writing); returns how many files were cut. Symbolic links, FIFOs and the like
    /// are neither cut nor looked into: each is passed to `skipped` (for the log).
    package static func repairTornLines(
        in directory: DataDirectory, skipped: (SkippedEntry) -> Void = { _ in }
    ) throws(StorageError) -> Int {
        var repaired = 0
        for tree in [directory.rollups, directory.deadLetters] {
            let entries = FileSystem.entries(below: tree)
            entries.skipped.forEach(skipped)
            for f in entries.files where f.hasSuffix(".jsonl") || f.hasSuffix(".csv") {
                if try FileSystem.cutTornLastLine(f) > 0 { repaired += 1 }
            }
        }
        return repaired
    }
}
