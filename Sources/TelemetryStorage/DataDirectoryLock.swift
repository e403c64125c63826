import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Proof that this process is the one telemetryd using a data directory: an exclusive
/// `flock` on `<root>/telemetryd.lock` (mode 0640), which holds the holder's PID.
///
/// ``acquire(_:)`` fails at once (it never waits) when another process — or another open of
/// the file in this one, since a `flock` belongs to an open file description — holds it,
/// naming the directory and the PID read from the file. The lock is released when the value
/// is dropped or ``release()``d, and by the kernel when the process dies, however it dies:
/// a stale file with an old PID in it never blocks a start. The file is left in place (an
/// unlinked lock file would let two processes each lock a different one).
///
/// ``checkWritable(_:)`` tells a read-only or full data directory at start-up, before data
/// is taken that could not be written.
///
/// Threading: `Sendable`, not copyable: one owner, which may hand it to another thread.
package struct DataDirectoryLock: ~Copyable, Sendable {
    /// The lock file's name inside the data directory.
    package static let fileName = "telemetryd.lock"

    /// The lock file.
    package let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes the lock of `directory` (creating the directory, mode 0750, and the lock file
    /// when missing) and writes this process's PID into it.
    package static func acquire(_ directory: DataDirectory) throws(DataDirectoryError) -> DataDirectoryLock {
        do { try FileSystem.makeDirectory(directory.root) } catch { throw .file(error) }
        let path = directory.root + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw .file(StorageError("open", path: path, errno: errno)) }
        // A lock just released can still be held for a moment by a child process between
        // fork and exec (it shares the open file until exec closes it): retry briefly before
        // calling the directory taken.
        var locked = false
        var failure: Int32 = 0
        for _ in 0..<40 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { locked = true; break }
            failure = errno
            guard failure == EWOULDBLOCK else { break }
            usleep(25_000)
        }
        guard locked else {
            let holder = failure == EWOULDBLOCK ? readPID(fd) : nil
            close(fd)
            if failure == EWOULDBLOCK { throw .inUse(directory: directory.root, holderPID: holder) }
            throw .file(StorageError("lock", path: path, errno: failure))
        }
        _ = fchmod(fd, 0o640)  // whatever the umask; not fatal when another user owns the file
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
            let failure = errno
            close(fd)
            throw .file(StorageError("write", path: path, errno: failure))
        }
        return DataDirectoryLock(path: path, fd: fd)
    }

    /// Gives the lock up (as dropping the value does).
    package consuming func release() {}

    /// Fails when files cannot be created, written and removed in `directory` (read-only
    /// mount, full disk, no permission), naming the directory and the system's reason.
    package static func checkWritable(_ directory: DataDirectory) throws(DataDirectoryError) {
        let probe = directory.root + "/.telemetryd-write-probe-\(getpid())"
        unlink(probe)
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .notWritable(directory: directory.root, errno: .init(rawValue: errno)) }
        let written = write(fd, "x", 1)
        let writeFailure = errno
        close(fd)
        let removed = unlink(probe) == 0
        let removeFailure = errno
        guard written == 1 else { throw .notWritable(directory: directory.root, errno: .init(rawValue: writeFailure)) }
        guard removed else { throw .notWritable(directory: directory.root, errno: .init(rawValue: removeFailure)) }
    }

    /// The PID at the start of the lock file, if it holds one.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let digits = buffer[..<n].prefix { $0 >= 0x30 && $0 <= 0x39 }
        return Int32(String(decoding: digits, as: UTF8.self))
    }
}
