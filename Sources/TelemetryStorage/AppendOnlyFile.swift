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
/// power loss. Files are created with mode `0640` (less any bits the umask removes).
/// The descriptor is closed when the object is released.
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
        let descriptor = try StorageError.attempt("open", path: path) {
            try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.append, .create, .closeOnExec], permissions: Self.permissions)
        }
        do {
            size = try descriptor.seek(offset: 0, from: .end)
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

    /// Flushes the file's data to stable storage.
    package func sync() throws(StorageError) {
        guard fdatasync(descriptor.rawValue) == 0 else { throw StorageError("sync", path: path, errno: errno) }
    }
}
