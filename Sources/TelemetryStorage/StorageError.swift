package import SystemPackage

/// A file operation that failed: what was being done, to which path, and the system's
/// reason, e.g. `cannot create directory /var/lib/telemetryd/rollups: Not a directory`, or
/// telemetryd's own when it refused (a symbolic link or a non-regular file in the data
/// directory: `cannot open …/06.jsonl: it is a symbolic link, and telemetryd follows none in
/// its data directory`).
///
/// Threading: a value type.
package struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What was being done, as a verb phrase ("open", "create directory", "sync").
    package let operation: String
    package let path: String
    /// The system's reason (`errno`).
    package let errno: Errno
    /// Why telemetryd refused, when it did (shown instead of the system's reason).
    package let refusal: String?

    package init(_ operation: String, path: String, errno: Errno, refusal: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.refusal = refusal
    }

    /// `path` is a symbolic link where telemetryd expects its own file or directory; links
    /// are never followed inside the data directory (one could point anywhere).
    package static func symbolicLink(_ operation: String, path: String) -> StorageError {
        StorageError(
            operation, path: path, errno: .tooManySymbolicLinkLevels,
            refusal: "it is a symbolic link, and telemetryd follows none in its data directory")
    }

    /// `path` is a device, FIFO or socket where telemetryd expects a regular file.
    package static func notRegularFile(_ operation: String, path: String) -> StorageError {
        StorageError(operation, path: path, errno: .invalidArgument, refusal: "it is not a regular file")
    }

    /// From a raw `errno` value.
    package init(_ operation: String, path: String, errno: Int32) {
        self.init(operation, path: path, errno: Errno(rawValue: errno))
    }

    /// Why it failed, without the operation and path: telemetryd's refusal or the system's reason.
    package var reason: String { refusal ?? errno.description }

    package var description: String { "cannot \(operation) \(path): \(reason)" }

    /// Runs `body` (a swift-system call), turning the `Errno` it throws into a `StorageError`
    /// for `operation` on `path`. With `refusingLinks` (`body` opens with `O_NOFOLLOW`), ELOOP
    /// is what the kernel says for a symbolic link, and becomes ``symbolicLink(_:path:)``.
    package static func attempt<T>(
        _ operation: String, path: String, refusingLinks: Bool = false, _ body: () throws -> T
    ) throws(StorageError) -> T {
        do {
            return try body()
        } catch let errno as Errno {
            if refusingLinks, errno == .tooManySymbolicLinkLevels { throw .symbolicLink(operation, path: path) }
            throw StorageError(operation, path: path, errno: errno)
        } catch {
            // swift-system's file operations throw only `Errno`.
            throw StorageError(operation, path: path, errno: .ioError)
        }
    }
}
