import SystemPackage

/// A file operation that failed: what was being done, to which path, and the system's
/// reason, e.g. `cannot create directory /var/lib/telemetryd/rollups: Not a directory`.
///
/// Threading: a value type.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What was being done, as a verb phrase ("open", "create directory", "sync").
    public let operation: String
    public let path: String
    /// The system's reason (`errno`).
    public let errno: Errno

    public init(_ operation: String, path: String, errno: Errno) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// From a raw `errno` value.
    public init(_ operation: String, path: String, errno: Int32) {
        self.init(operation, path: path, errno: Errno(rawValue: errno))
    }

    public var description: String { "cannot \(operation) \(path): \(errno)" }

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
