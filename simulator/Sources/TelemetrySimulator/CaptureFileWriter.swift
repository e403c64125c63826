package import TelemetryCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes capture lines to a file (or standard output) through a large byte buffer, so
/// recording costs one `write(2)` per megabyte rather than one per line.
///
/// Bytes are written as they are (payloads may be invalid UTF-8). The file is created or
/// truncated by `init`; `close()` flushes and closes it (standard output is flushed, not
/// closed). Forgetting `close()` loses the buffered tail.
/// Threading: not thread-safe; owned by one task (not `Sendable`).
package final class CaptureFileWriter {
    /// Why the capture could not be written; `description` names the file and the cause.
    package struct WriteError: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The path given, or `-` for standard output.
    package let path: String
    /// Bytes accepted so far (written or buffered).
    package private(set) var bytesWritten: Int64 = 0

    private var fd: Int32
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20

    /// Opens `path` for writing (`-` means standard output).
    package init(path: String) throws(WriteError) {
        self.path = path
        if path == "-" {
            fd = 1
        } else {
            let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard opened >= 0 else {
                throw WriteError(description: "cannot create '\(path)': \(String(cString: strerror(errno)))")
            }
            fd = opened
        }
        buffer.reserveCapacity(flushThreshold + 4_096)
    }

    deinit {
        if fd > 2 { _ = posixClose(fd) }
    }

    /// Buffers the capture line of `message`, its payload in `encoding`.
    package func write(_ message: SimulatedMessage, encoding: CapturePayloadEncoding = .raw) throws(WriteError) {
        let before = buffer.count
        CaptureLineFormatter.append(message, encoding: encoding, to: &buffer)
        bytesWritten += Int64(buffer.count - before)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Buffers raw bytes (e.g. a line formatted elsewhere).
    package func write(bytes: [UInt8]) throws(WriteError) {
        buffer.append(contentsOf: bytes)
        bytesWritten += Int64(bytes.count)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes out everything buffered.
    package func flush() throws(WriteError) {
        guard fd >= 0 else { return }
        var failure: Int32 = 0
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = posixWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if failure != 0 {
            throw WriteError(description: "cannot write '\(path)': \(String(cString: strerror(failure)))")
        }
    }

    /// Flushes, then closes the file (standard output stays open).
    package func close() throws(WriteError) {
        try flush()
        if fd > 2 {
            let result = posixClose(fd)
            fd = -1
            if result != 0 {
                throw WriteError(description: "cannot close '\(path)': \(String(cString: strerror(errno)))")
            }
        }
    }
}

// The methods `write`/`close` shadow the C functions inside the class.
@inline(__always) private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}

@inline(__always) private func posixClose(_ fd: Int32) -> Int32 {
    close(fd)
}
