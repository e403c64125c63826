import Foundation
import Testing
import TelemetryTestSupport
@testable import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

private func temporaryDataDirectory(_ name: String = #function) -> DataDirectory {
    let path = NSTemporaryDirectory() + "telemetryd-lock-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return DataDirectory(path)
}

/// The PID `acquire`'s error names when the lock is taken, or nil when it did not fail so.
private func holderNamedByAcquire(_ directory: DataDirectory) -> (pid: Int32?, message: String)? {
    do throws(DataDirectoryError) {
        let lock = try DataDirectoryLock.acquire(directory)
        lock.release()
        return nil
    } catch {
        guard case .inUse(let path, let pid) = error, path == directory.root else {
            Issue.record("unexpected error: \(error)")
            return nil
        }
        return (pid, error.description)
    }
}

/// Starts `sh` holding an exclusive `flock` on the lock file (its PID written into it, as
/// telemetryd does) and waits until it holds it.
private func spawnLockHolder(_ directory: DataDirectory) throws -> pid_t {
    let file = directory.root + "/telemetryd.lock"
    let script = #"exec 9>>"$0"; flock -n 9 || exit 1; echo $$ > "$0"; exec sleep 30"#
    let pid = try TestProcess.spawn("/bin/sh", ["-c", script, file], output: directory.root + "/holder.log")
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if let text = try? String(contentsOfFile: file, encoding: .utf8), Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == pid {
            return pid
        }
        usleep(10_000)
    }
    TestProcess.terminate(pid)
    throw TestProcess.Failure(description: "the lock holder did not start")
}

/// Whether this process may mount a tmpfs (tests run as root in CI; elsewhere they skip).
private let canMountTmpfs: Bool = {
    let probe = NSTemporaryDirectory() + "telemetryd-mount-probe-\(getpid())"
    try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
    defer { rmdir(probe) }
    guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
    umount(probe)
    return true
}()

@Suite struct DataDirectoryLockTests {
    @Test func aSecondAcquireFailsNamingTheDirectoryAndTheHoldersPID() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        let lock = try DataDirectoryLock.acquire(directory)
        let holder = try #require(holderNamedByAcquire(directory))
        #expect(holder.pid == getpid())
        #expect(holder.message == "data directory \(directory.root) is in use by telemetryd PID \(getpid())")
        lock.release()
    }

    @Test func afterReleaseTheLockCanBeTakenAgain() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        let lock = try DataDirectoryLock.acquire(directory)
        lock.release()
        let again = try DataDirectoryLock.acquire(directory)
        again.release()
    }

    @Test func droppingTheLockReleasesIt() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        func holdBriefly() throws {
            let lock = try DataDirectoryLock.acquire(directory)
            #expect(holderNamedByAcquire(directory) != nil)
            _ = consume lock
        }
        try holdBriefly()
        #expect(holderNamedByAcquire(directory) == nil)
    }

    @Test func theLockFileIsMode0640AndHoldsTheHoldersPID() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        let lock = try DataDirectoryLock.acquire(directory)
        let path = directory.root + "/telemetryd.lock"
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n")
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
        #expect(mode & 0o777 == 0o640)
        lock.release()
    }

    @Test func aMissingDataDirectoryIsCreated() throws {
        let parent = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent.root) }
        let directory = DataDirectory(parent.root + "/a/b")
        let lock = try DataDirectoryLock.acquire(directory)
        lock.release()
        #expect(FileManager.default.fileExists(atPath: directory.root + "/telemetryd.lock"))
    }

    @Test func aLockHeldByAnotherProcessMakesAcquireFailNamingItsPID() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        let holder = try spawnLockHolder(directory)
        defer { TestProcess.terminate(holder) }
        let named = try #require(holderNamedByAcquire(directory))
        #expect(named.pid == holder)
        #expect(named.message.contains("PID \(holder)"))
    }

    @Test func whenTheHoldingProcessDiesTheLockIsFree() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        let holder = try spawnLockHolder(directory)
        #expect(holderNamedByAcquire(directory) != nil)
        kill(holder, SIGKILL)
        _ = TestProcess.wait(holder, timeout: .seconds(10))
        let lock = try DataDirectoryLock.acquire(directory)
        lock.release()
    }

    @Test func checkWritableSucceedsAndLeavesNothingBehind() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        try DataDirectoryLock.checkWritable(directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.root).isEmpty)
    }

    /// As root, permission bits do not stop a write; a read-only mount does.
    @Test(.enabled(if: canMountTmpfs, "needs permission to mount a tmpfs"))
    func checkWritableFailsOnAReadOnlyMountNamingTheDirectory() throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory.root) }
        try #require(mount("tmpfs", directory.root, "tmpfs", 0, "size=64k") == 0)
        defer { umount(directory.root) }
        try #require(mount("tmpfs", directory.root, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), "size=64k") == 0)
        #expect {
            try DataDirectoryLock.checkWritable(directory)
        } throws: { error in
            guard case .notWritable(let path, _) = error as? DataDirectoryError else { return false }
            let text = "\(error)"
            return path == directory.root
                && text.hasPrefix("data directory \(directory.root) is not writable") && text.contains("Read-only file system")
        }
    }
}
