import SystemPackage

extension WriteAheadLog {
    /// Reads every valid record with LSN ≥ `from`, in LSN order, across the segments in
    /// `directory` (by their first LSN), handing each to `body` (whose views are valid only
    /// during the call).
    ///
    /// Reading starts at the last segment whose first LSN is ≤ `from` (or the first segment).
    /// Within a segment it goes on until a zero length (its clean end) or the end of the file;
    /// each record must be whole, pass its CRC-32C and carry the next LSN. A segment's damaged
    /// tail (a crash mid-append) is passed over when the next segment starts exactly at the
    /// next LSN: that is the segment the recovered run opened after reading up to the damage.
    /// Otherwise reading stops at the damage, or at a next segment that breaks LSN continuity,
    /// and the summary says `stoppedAtDamage`. A missing directory reads as empty.
    ///
    /// Throws only for I/O errors, and whatever `body` throws. Reads the files with `pread`,
    /// so a failing disk is an error, never a SIGBUS. Any thread; meant for recovery, before
    /// a `WriteAheadLog` is opened on the directory.
    package static func read(
        directory: String, from lsn: UInt64, _ body: (WALRecord) throws(StorageError) -> Void
    ) throws(StorageError) -> WALReadSummary {
        let files = WALSegmentFile.all(in: directory)
        var summary = WALReadSummary(records: 0, lastLSN: nil, stoppedAtDamage: false)
        guard !files.isEmpty else { return summary }
        var buffer = SegmentBuffer()
        defer { buffer.deallocate() }
        var expected: UInt64?
        for index in (files.lastIndex { $0.firstLSN <= lsn } ?? 0)..<files.count {
            let file = files[index]
            if let expected, file.firstLSN != expected {
                summary.stoppedAtDamage = true
                return summary
            }
            var next = file.firstLSN
            let bytes = try buffer.read(file.path)
            var offset = 0
            var damaged = false
            scan: while true {
                switch WALRecordLayout.decode(bytes, at: offset, expectedLSN: next) {
                case let .record(record, length):
                    if record.lsn >= lsn {
                        try body(record)
                        summary.records += 1
                    }
                    summary.lastLSN = record.lsn
                    next = record.lsn &+ 1
                    offset += length
                case .end:
                    break scan
                case .damaged:
                    damaged = true
                    break scan
                }
            }
            expected = next
            if damaged, index + 1 == files.count || files[index + 1].firstLSN != next {
                summary.stoppedAtDamage = true
                return summary
            }
        }
        return summary
    }
}

/// An 8-byte aligned buffer that holds one segment file at a time while it is read.
///
/// Threading: owned by one reader; not `Sendable`.
private struct SegmentBuffer {
    private var storage = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// The whole content of the file at `path` (valid until the next `read`).
    mutating func read(_ path: String) throws(StorageError) -> UnsafeRawBufferPointer {
        let fd = try StorageError.attempt("open", path: path, refusingLinks: true) {
            try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .noFollow])
        }
        defer { try? fd.close() }
        let size = Int(try StorageError.attempt("seek", path: path) { try fd.seek(offset: 0, from: .end) })
        if size > storage.count {
            storage.deallocate()
            storage = .allocate(byteCount: size, alignment: WALRecordLayout.alignment)
        }
        var filled = 0
        while filled < size {
            let n = try StorageError.attempt("read", path: path) { [storage] in
                try fd.read(
                    fromAbsoluteOffset: Int64(filled),
                    into: UnsafeMutableRawBufferPointer(rebasing: storage[filled..<size]), retryOnInterrupt: true)
            }
            if n == 0 { break }  // the file shrank meanwhile: what was read is what there is
            filled += n
        }
        return UnsafeRawBufferPointer(rebasing: storage[..<filled])
    }

    func deallocate() { storage.deallocate() }
}
