import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for appending whole lines, with an explicit `sync()`.
///
/// Writes go straight to the kernel (the caller batches lines into one buffer, and
/// `append` writes all of it, retrying short writes and `EINTR`), so after `append` returns
/// the bytes survive a crash of this process; `sync()` (`fdatasync`) makes them survive
/// power loss. An `append` that fails (a full disk) cuts off what it wrote, so the file
/// never keeps part of a buffer and the caller can retry the whole of it. Files are created
/// with mode `0640` (less any bits the umask removes). The descriptor is closed when the
/// object is released.
///
/// Only regular files are opened: a symbolic link at `path` is refused (`O_NOFOLLOW`: one
/// planted in the data directory could point at any file the daemon may write), and so is a
/// FIFO or device (checked without blocking on a FIFO that has no reader).
///
/// Threading: owned by one thread at a time; not `Sendable`.
package final class AppendOnlyFile {
    /// Mode of a created file: owner read/write, group read.
    static let permissions: FilePermissions = [.ownerReadWrite, .groupRead]

    package let path: String
    private let descriptor: FileDescriptor
    /// Size of the file in bytes, as far as this handle has written.
    package private(set) var size: Int64

    package init(path: String) throws(StorageError) {
        let descriptor = try StorageError.attempt("open", path: path, refusingLinks: true) {
            try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.append, .create, .closeOnExec, .noFollow, .nonBlocking],
                permissions: Self.permissions)
        }
        do {
            try FileSystem.requireRegularFile(descriptor, path: path)
            _ = fcntl(descriptor.rawValue, F_SETFL, fcntl(descriptor.rawValue, F_GETFL) & ~O_NONBLOCK)
            size = try descriptor.seek(offset: 0, from: .end)
        } catch let error as StorageError {
            try? descriptor.close()
            throw error
        } catch {
            try? descriptor.close()
            throw StorageError("seek", path: path, errno: error as? Errno ?? .ioError)
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { try? descriptor.close() }

    /// Appends all of `bytes`, or nothing: when the write fails part-way (a full disk), the
    /// part that made it is cut off again, so a retry can never glue half a line to a whole one.
    package func append(_ bytes: [UInt8]) throws(StorageError) {
        do {
            _ = try descriptor.writeAll(bytes)
        } catch {
            _ = ftruncate(descriptor.rawValue, off_t(size))
            throw StorageError("write", path: path, errno: error as? Errno ?? .ioError)
        }
        size += Int64(bytes.count)
    }

    /// Cuts the file back to `length` bytes (≤ `size`): undoes appends whose durability
    /// failed, so that retrying them does not write them twice.
    package func cut(to length: Int64) throws(StorageError) {
        guard ftruncate(descriptor.rawValue, off_t(length)) == 0 else {
            throw StorageError("truncate", path: path, errno: errno)
        }
        size = length
    }

    /// Flushes the file's data to stable storage.
    package func sync() throws(StorageError) {
        guard fdatasync(descriptor.rawValue) == 0 else { throw StorageError("sync", path: path, errno: errno) }
    }
}
