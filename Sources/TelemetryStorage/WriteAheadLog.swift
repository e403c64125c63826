import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write-ahead log of accepted MQTT messages (issue 10): every message the daemon accepts
/// is appended before libmosquitto's message callback returns (libmosquitto sends the QoS 1
/// PUBACK after it), so a `kill -9` loses nothing; recovery replays the log after the last
/// checkpoint with `read(directory:from:_:)`.
///
/// The log is a directory of segment files `<first LSN, 16 hex digits>.wal` (`WALSegmentFile`),
/// each a sequence of 8-byte aligned records: a 40-byte header (u32 total length, u32 CRC-32C
/// of everything after the CRC field, u64 LSN, i64 arrival ms, i32 mid, u16 connection, u16
/// topic length, u32 payload length, 4 zero bytes), the topic, the payload and zero padding;
/// a zero length ends the segment. `WALRecordLayout` is the one home of that format and
/// documents it in full.
///
/// Appending is a copy into a memory-mapped segment whose space was reserved with
/// `posix_fallocate` when it was created (`WALSegment`), the length field stored last with a
/// release store: no system call per message, and the page cache outlives the process. Only
/// `sync()` makes records survive a power cut. A segment is `segmentBytes` long; a record that
/// does not fit in what is left starts a new one, and a record larger than a segment gets a
/// segment of its own, sized to fit.
///
/// Invariants: LSNs are consecutive from `nextLSN`; a record is either wholly visible to a
/// reader or not at all; a failed append (full disk) leaves nothing of the record and consumes
/// no LSN, and a later append may succeed once space is freed.
///
/// Threading: `@unchecked Sendable` because its members split into two groups, each safe on
/// its own terms. `append` and `close` belong to the appender: one thread at a time (checked
/// in debug builds); they touch the appender's unsynchronized state (current mapping, offset,
/// next LSN). `sync`, `removeSegments(before:)`, `diskBytes` and `lastLSN` may be called from
/// any thread at any time: the appender publishes each record's end through an atomic in the
/// segment (release/acquire), the set of segments changes only under the `shared` mutex
/// (which the appender takes only when it starts a new segment), and `sync` calls are
/// serialized by their own mutex, held while they flush, so they never block appends.
package final class WriteAheadLog: @unchecked Sendable {
    package let directory: String
    /// Paths of segments found at or after `nextLSN` when the log was opened and renamed to
    /// `<name>.stale` because they hold records (empty ones are deleted). Such segments come
    /// from a run whose log was damaged before them; they cannot be replayed in LSN order and
    /// would collide with the names of new segments. Worth logging.
    package let setAside: [String]
    private let segmentBytes: Int

    // The appender's state (`append`, `close`).
    private var segment: WALSegment?
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    private var offset = 0
    private var nextLSN: UInt64
    private var isClosed = false
    private let appender = ExclusiveUse()

    private let lastAppended: Atomic<UInt64>
    private let shared: Mutex<Segments>
    private let syncProgress = Mutex(SyncProgress())

    /// The segments other threads may look at; changed under `shared`.
    private struct Segments {
        /// The segment being appended to (nil once closed, or while a failed start of a new
        /// segment leaves none).
        var current: WALSegment?
        /// Segments finished since they were last flushed; `sync` flushes and drops them.
        var unsynced: [WALSegment] = []
        /// Counts changes to the directory's entries (segments created, set aside, deleted).
        var directoryChanges = 0
    }

    /// How far `sync` has flushed; changed under `syncProgress`.
    private struct SyncProgress {
        var segmentLSN: UInt64?
        var syncedOffset = 0
        var directoryChanges = 0
    }

    /// Opens the log in `directory` (created with mode 0750 if missing) for appending: a new
    /// segment whose first LSN is `nextLSN`, which callers set to the last LSN read + 1 (at
    /// least 1). Older segments are left as they are, after flushing them to stable storage
    /// so that what recovery just read cannot be lost by a later power cut; segments at or
    /// after `nextLSN` are set aside (see `setAside`).
    package init(directory: String, nextLSN: UInt64, segmentBytes: Int = 16 << 20) throws(StorageError) {
        precondition(nextLSN >= 1, "LSNs start at 1")
        precondition(segmentBytes > 0, "segmentBytes must be positive")
        try FileSystem.makeDirectory(directory, inside: FilePath(directory).removingLastComponent().string)
        var setAside: [String] = []
        for file in WALSegmentFile.all(in: directory) {
            if file.firstLSN >= nextLSN {
                if let path = try file.setAside() { setAside.append(path) }
            } else {
                try file.syncData()
            }
        }
        let alignment = WALRecordLayout.alignment
        self.segmentBytes = max(WALRecordLayout.headerSize, (segmentBytes + alignment - 1) & ~(alignment - 1))
        let first = try WALSegment(directory: directory, firstLSN: nextLSN, capacity: self.segmentBytes)
        self.directory = directory
        self.setAside = setAside
        self.nextLSN = nextLSN
        self.lastAppended = Atomic(nextLSN - 1)
        self.shared = Mutex(Segments(current: first, directoryChanges: 1))
        use(first)
    }

    /// Deletes every segment in `directory` (the log turned off, once recovery has replayed
    /// it); returns how many were deleted.
    package static func removeAll(directory: String) throws(StorageError) -> Int {
        var removed = 0
        for file in WALSegmentFile.all(in: directory) {
            guard file.remove() else { throw StorageError("remove", path: file.path, errno: errno) }
            removed += 1
        }
        return removed
    }

    /// LSN of the last record appended (`nextLSN - 1` before any). Any thread.
    package var lastLSN: UInt64 { lastAppended.load(ordering: .relaxed) }

    /// Appends one message and returns its LSN (consecutive, starting at `nextLSN`). When it
    /// returns, the record is in the page cache: it survives the process being killed, and a
    /// power cut once `sync()` has run.
    ///
    /// Throws when a new segment cannot be created (a full disk: `ENOSPC` from reserving its
    /// space), when the record cannot be represented (topic over 65535 bytes: `EINVAL`; total
    /// over 4 GiB: `EMSGSIZE`), or after `close()` (`EBADF`). Nothing of the record is then
    /// visible to a reader, and its LSN is given to the next record appended.
    ///
    /// Appender only.
    package func append(
        arrivalMs: Int64, connection: UInt16, mid: Int32, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) throws(StorageError) -> UInt64 {
        let result = appender.withExclusiveUse {
            Result { () throws(StorageError) -> UInt64 in
                try appendRecord(arrivalMs: arrivalMs, connection: connection, mid: mid, topic: topic, payload: payload)
            }
        }
        return try result.get()
    }

    @inline(__always)
    private func appendRecord(
        arrivalMs: Int64, connection: UInt16, mid: Int32, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) throws(StorageError) -> UInt64 {
        guard let length = WALRecordLayout.length(topic: topic.count, payload: payload.count) else {
            throw StorageError(
                "append to", path: directory, errno: topic.count > Int(UInt16.max) ? .invalidArgument : .messageTooLong)
        }
        if length > capacity &- offset { try startSegment(fitting: length) }
        let lsn = nextLSN
        WALRecordLayout.encode(
            into: base.unsafelyUnwrapped + offset, length: length, lsn: lsn, arrivalMs: arrivalMs,
            connection: connection, mid: mid, topic: topic, payload: payload)
        offset &+= length
        nextLSN &+= 1
        segment.unsafelyUnwrapped.published.store(offset, ordering: .releasing)
        lastAppended.store(lsn, ordering: .relaxed)
        return lsn
    }

    /// Makes `segment` the one appended to, from its start.
    private func use(_ segment: WALSegment?) {
        self.segment = segment
        base = segment?.base
        capacity = segment?.capacity ?? 0
        offset = 0
    }

    /// Starts a new segment at `nextLSN` with room for a record of `length` bytes; the current
    /// one, when it holds records, waits in `unsynced` for the next `sync`. An empty current
    /// segment (a record larger than a segment as the first) is deleted instead, since the new
    /// one takes its name. On failure the log stays as it was (or without a current segment),
    /// and the next append tries again.
    @inline(never)
    private func startSegment(fitting length: Int) throws(StorageError) {
        guard !isClosed else { throw StorageError("append to", path: directory, errno: .badFileDescriptor) }
        if let empty = segment, offset == 0 {
            shared.withLock { shared in
                shared.current = nil
                shared.directoryChanges += 1
            }
            use(nil)
            guard empty.file.remove() else { throw StorageError("remove", path: empty.file.path, errno: errno) }
        }
        let next = try WALSegment(directory: directory, firstLSN: nextLSN, capacity: max(segmentBytes, length))
        let finished = segment
        shared.withLock { shared in
            if let finished { shared.unsynced.append(finished) }
            shared.current = next
            shared.directoryChanges += 1
        }
        use(next)
    }

    /// Makes everything appended so far survive a power cut: `fdatasync` of the segments
    /// finished since the last sync, `msync(MS_SYNC)` of the current segment's records written
    /// since the last sync, and `fsync` of the directory when segments were created or removed.
    ///
    /// Any thread, concurrently with `append` (which it never blocks: it reads the appended
    /// end through an atomic and holds the segments it flushes, so they stay mapped); calls
    /// to `sync` run one at a time. "So far" means the appends whose return happened before
    /// this call, e.g. ones the appender signalled to the syncing thread.
    package func sync() throws(StorageError) {
        try syncProgress.withLock { (progress: inout SyncProgress) throws(StorageError) in
            let (current, unsynced, directoryChanges) = shared.withLock { ($0.current, $0.unsynced, $0.directoryChanges) }
            for finished in unsynced { try finished.syncFile() }
            if !unsynced.isEmpty {
                shared.withLock { shared in shared.unsynced.removeAll { s in unsynced.contains { $0 === s } } }
            }
            if let current {
                let end = current.published.load(ordering: .acquiring)
                let start = progress.segmentLSN == current.file.firstLSN ? progress.syncedOffset : 0
                if end > start { try current.sync(from: start, to: end) }
                progress.segmentLSN = current.file.firstLSN
                progress.syncedOffset = end
            }
            if directoryChanges != progress.directoryChanges {
                try syncDirectory()
                progress.directoryChanges = directoryChanges
            }
        }
    }

    private func syncDirectory() throws(StorageError) {
        let fd = try StorageError.attempt("open", path: directory) {
            try FileDescriptor.open(FilePath(directory), .readOnly, options: [.directory, .closeOnExec])
        }
        defer { try? fd.close() }
        guard fsync(fd.rawValue) == 0 else { throw StorageError("sync", path: directory, errno: errno) }
    }

    /// Deletes the segment files all of whose records have LSN < `lsn` (a segment's records
    /// end before the next segment's first LSN), never the segment being appended to nor the
    /// newest file. Best effort: a file that cannot be deleted stays, for a later call.
    ///
    /// Any thread, concurrently with `append`.
    package func removeSegments(before lsn: UInt64) {
        let current = shared.withLock { $0.current?.file.firstLSN }
        let files = WALSegmentFile.all(in: directory)
        var removed: [UInt64] = []
        for (file, next) in zip(files, files.dropFirst()) where next.firstLSN <= lsn {
            if let current, file.firstLSN >= current { break }
            if file.remove() { removed.append(file.firstLSN) }
        }
        guard !removed.isEmpty else { return }
        shared.withLock { shared in
            shared.unsynced.removeAll { removed.contains($0.file.firstLSN) }
            shared.directoryChanges += 1
        }
    }

    /// Bytes of segment files on disk (their sizes: the space reserved for them). Any thread.
    package var diskBytes: Int {
        WALSegmentFile.all(in: directory).reduce(0) { $0 + ($1.size ?? 0) }
    }

    /// Stops appending and unmaps the segments (a `sync` running on another thread keeps the
    /// ones it flushes mapped until it is done). Does not flush: call `sync()` first for the
    /// records to survive a power cut. Appends afterwards throw `EBADF`. Appender only;
    /// `deinit` does the same.
    package func close() {
        appender.withExclusiveUse {
            isClosed = true
            use(nil)
            shared.withLock { shared in
                shared.current = nil
                shared.unsynced = []
            }
        }
    }
}
