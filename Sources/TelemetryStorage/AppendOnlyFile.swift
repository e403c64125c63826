#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for appending whole lines, with an explicit `sync()`.
///
/// Writes go straight to the kernel with `write(2)` (the caller batches lines into one
/// buffer), so after `append` returns the bytes survive a crash of this process; `sync()`
/// makes them survive power loss. Files are created `0640`.
///
/// Threading: owned by one thread at a time; not `Sendable`.
public final class AppendOnlyFile {
    public let path: String
    private var fd: Int32
    /// Size of the file in bytes, as far as this handle has written.
    public private(set) var size: Int64

    public init(path: String) throws(StorageError) {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw StorageError("open", path: path, errno: errno) }
        size = Int64(lseek(fd, 0, SEEK_END))
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends all of `bytes`.
    public func append(_ bytes: [UInt8]) throws(StorageError) {
        var written = 0
        let total = bytes.count
        while written < total {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, total - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StorageError("write", path: path, errno: errno)
            }
            written += n
        }
        size += Int64(total)
    }

    /// Flushes the file's data to stable storage.
    public func sync() throws(StorageError) {
        guard fdatasync(fd) == 0 else { throw StorageError("sync", path: path, errno: errno) }
    }
}
