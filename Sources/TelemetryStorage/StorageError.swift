package import SystemPackage

/// A file operation that failed: what was being done, to which path, and the system's
/// reason, e.g. `cannot create directory /var/lib/telemetryd/rollups: Not a directory`.
///
/// Threading: a value type.
package struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What was being done, as a verb phrase ("open", "create directory", "sync").
    package let operation: String
    package let path: String
    /// The system's reason (`errno`).
    package let errno: Errno

    package init(_ operation: String, path: String, errno: Errno) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// From a raw `errno` value.
    package init(_ operation: String, path: String, errno: Int32) {
        self.init(operation, path: path, errno: Errno(rawValue: errno))
    }

    package var description: String { "cannot \(operation) \(path): \(errno)" }

    /// Runs `body` (a swift-system call), turning the `Errno` it throws into a `StorageError`
    /// for `operation` on `path`.
    package static func attempt<T>(_ operation: String, path: String, _ body: () throws -> T) throws(StorageError) -> T {
        do {
            return try body()
        } catch let errno as Errno {
            throw StorageError(operation, path: path, errno: errno)
        } catch {
            // swift-system's file operations throw only `Errno`.
            throw StorageError(operation, path: path, errno: .ioError)
        }
    }
}
