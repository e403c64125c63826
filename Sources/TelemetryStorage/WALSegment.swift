import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write-ahead-log segment being appended to: a new file whose whole size is reserved
/// with `posix_fallocate` when it is created and mapped shared, read-write, so that appending
/// a record is a copy into the page cache (which outlives the process: SIGKILL or the OOM
/// killer lose nothing) and a full disk surfaces as an error at creation, never as a SIGBUS
/// on a later write.
///
/// The mapping and the descriptor live as long as the object; whoever holds a reference may
/// `sync` it, so a syncing thread keeps the mapping alive while the appender moves on.
///
/// Threading: `@unchecked Sendable` because the mapped bytes are written only by the one
/// appender (through `base`), other threads only ask the kernel to flush them (`msync`,
/// `fdatasync`), and the end of the records written so far is published through the atomic
/// `published` (release by the appender, acquire by the syncer).
final class WALSegment: @unchecked Sendable {
    let file: WALSegmentFile
    let base: UnsafeMutableRawPointer
    /// Bytes mapped and reserved on disk.
    let capacity: Int
    /// Offset just past the last record whose length field has been stored.
    let published = Atomic<Int>(0)
    private let descriptor: FileDescriptor

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Creates (exclusively) the segment file for `firstLSN` in `directory` with `capacity`
    /// bytes reserved and mapped. On failure nothing is left behind: the file is removed.
    init(directory: String, firstLSN: UInt64, capacity: Int) throws(StorageError) {
        precondition(capacity > 0 && capacity % WALRecordLayout.alignment == 0, "segment capacity \(capacity)")
        let file = WALSegmentFile(directory: directory, firstLSN: firstLSN)
        let descriptor = try StorageError.attempt("create", path: file.path) {
            try FileDescriptor.open(
                FilePath(file.path), .readWrite, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: AppendOnlyFile.permissions)
        }
        func fail(_ operation: String, _ code: Int32) -> StorageError {
            try? descriptor.close()
            unlink(file.path)
            return StorageError(operation, path: file.path, errno: code)
        }
        var reserved: Int32
        repeat { reserved = posix_fallocate(descriptor.rawValue, 0, off_t(capacity)) } while reserved == EINTR
        guard reserved == 0 else { throw fail("reserve space for", reserved) }
        let mapped = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor.rawValue, 0)
        guard let mapped, Int(bitPattern: mapped) != -1 else { throw fail("map", errno) }
        self.file = file
        self.base = mapped
        self.capacity = capacity
        self.descriptor = descriptor
    }

    deinit {
        munmap(base, capacity)
        try? descriptor.close()
    }

    /// Writes the bytes `start ..< end` of the mapping to stable storage (`msync(MS_SYNC)`,
    /// from the page holding `start`).
    func sync(from start: Int, to end: Int) throws(StorageError) {
        let pageStart = start - start % Self.pageSize
        guard msync(base + pageStart, end - pageStart, MS_SYNC) == 0 else {
            throw StorageError("sync", path: file.path, errno: errno)
        }
    }

    /// Writes the whole file's data to stable storage (`fdatasync`).
    func syncFile() throws(StorageError) {
        guard fdatasync(descriptor.rawValue) == 0 else { throw StorageError("sync", path: file.path, errno: errno) }
    }
}
