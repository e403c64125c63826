import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One segment file of the write-ahead log, named after the LSN of its first record:
/// `<16 lowercase hex digits>.wal` (e.g. `000000000000002a.wal` starts at LSN 42), so that
/// sorting the names sorts the segments.
///
/// Threading: a value type; its operations are independent system calls.
struct WALSegmentFile: Sendable {
    static let suffix = ".wal"
    /// Appended to the name of a segment set aside (see `setAside()`).
    static let staleSuffix = ".stale"

    let firstLSN: UInt64
    let path: String

    init(directory: String, firstLSN: UInt64) {
        let hex = String(firstLSN, radix: 16)
        self.firstLSN = firstLSN
        self.path = directory + "/" + String(repeating: "0", count: 16 - hex.count) + hex + Self.suffix
    }

    /// The segment named `name` in `directory`; nil for any other name.
    init?(name: String, in directory: String) {
        let utf8 = Array(name.utf8)
        guard utf8.count == 16 + Self.suffix.utf8.count, name.hasSuffix(Self.suffix),
              utf8[..<16].allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
              let lsn = UInt64(String(decoding: utf8[..<16], as: UTF8.self), radix: 16)
        else { return nil }
        self.firstLSN = lsn
        self.path = directory + "/" + name
    }

    /// The segments in `directory`, by first LSN; empty when it does not exist.
    static func all(in directory: String) -> [WALSegmentFile] {
        FileSystem.list(directory).compactMap { WALSegmentFile(name: $0, in: directory) }.sorted { $0.firstLSN < $1.firstLSN }
    }

    /// The file's size in bytes; nil when it cannot be looked at (e.g. removed meanwhile).
    var size: Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// Whether the segment holds no record: its first record slot is all zero (or missing).
    func isEmpty() throws(StorageError) -> Bool {
        let fd = try StorageError.attempt("open", path: path, refusingLinks: true) {
            try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .noFollow])
        }
        defer { try? fd.close() }
        var slot = [UInt8](repeating: 0, count: WALRecordLayout.headerSize)
        let n = try StorageError.attempt("read", path: path) {
            try slot.withUnsafeMutableBytes { try fd.read(fromAbsoluteOffset: 0, into: $0, retryOnInterrupt: true) }
        }
        return slot[..<n].allSatisfy { $0 == 0 }
    }

    /// Flushes the file's data to stable storage (`fdatasync`).
    func syncData() throws(StorageError) {
        let fd = try StorageError.attempt("open", path: path, refusingLinks: true) {
            try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .noFollow])
        }
        defer { try? fd.close() }
        guard fdatasync(fd.rawValue) == 0 else { throw StorageError("sync", path: path, errno: errno) }
    }

    /// Takes the segment out of the log: an empty one is deleted (nil), one with records is
    /// renamed to `<name>.stale` (replacing an older one of that name) and its new path returned.
    func setAside() throws(StorageError) -> String? {
        if try isEmpty() {
            guard unlink(path) == 0 else { throw StorageError("remove", path: path, errno: errno) }
            return nil
        }
        let stale = path + Self.staleSuffix
        try FileSystem.move(path, to: stale)
        return stale
    }

    /// Deletes the file; false when that failed (it is then still there, or already gone).
    func remove() -> Bool { unlink(path) == 0 }
}
