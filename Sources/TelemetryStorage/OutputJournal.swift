import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The undo half of exactly-once output. Between two checkpoints (an *epoch*), before the
/// first append to a file, the file's length is recorded here and made durable; recovery
/// from the checkpoint that began the epoch cuts every recorded file back to that length
/// (removing the ones that did not exist) and replays the write-ahead log after the
/// checkpoint, which appends the same lines again. So a file never holds a line twice, and
/// never a torn one, whatever instant the process died at.
///
/// On disk: `<state>/journal-<epoch>`, one line per file, `<length> <path>` (length -1: the
/// file did not exist). Journals of other epochs are stale and removed.
///
/// Invariants: a path is recorded at most once per epoch, before any byte of that epoch is
/// appended to it.
///
/// Threading: not `Sendable`; owned by the aggregator thread (checked in debug builds).
package final class OutputJournal {
    package let stateDirectory: String
    package private(set) var epoch: Int
    private var recorded: Set<String> = []
    private var file: AppendOnlyFile?
    private var owner = OwningThread()

    /// A journal for `epoch`, empty: removes any journal file of that epoch left behind
    /// (call `rollBack` first when recovering).
    package init(stateDirectory: String, epoch: Int) throws(StorageError) {
        self.stateDirectory = stateDirectory
        self.epoch = epoch
        try FileSystem.makeDirectory(stateDirectory, inside: FilePath(stateDirectory).removingLastComponent().string)
        try Self.removeJournals(in: stateDirectory)
    }

    package static func path(stateDirectory: String, epoch: Int) -> String { "\(stateDirectory)/journal-\(epoch)" }

    /// Records `path`'s current length if this epoch has not appended to it yet. Durable
    /// (fdatasync) before it returns, so the append that follows can be undone.
    package func willAppend(to path: String) throws(StorageError) {
        owner.check()
        guard !recorded.contains(path) else { return }
        let length: Int64
        var info = stat()
        if lstat(path, &info) == 0 {
            length = Int64(info.st_size)
        } else if errno == ENOENT {
            length = -1
        } else {
            throw StorageError("stat", path: path, errno: errno)
        }
        let journal: AppendOnlyFile
        if let file { journal = file } else {
            journal = try AppendOnlyFile(path: Self.path(stateDirectory: stateDirectory, epoch: epoch))
            file = journal
        }
        try journal.append(Array("\(length) \(path)\n".utf8))
        try journal.sync()
        recorded.insert(path)
    }

    /// Starts `epoch` (after the checkpoint that ends the current one is durable): a new,
    /// empty journal; the old one is removed.
    package func begin(epoch next: Int) throws(StorageError) {
        owner.check()
        file = nil
        recorded.removeAll(keepingCapacity: true)
        let old = Self.path(stateDirectory: stateDirectory, epoch: epoch)
        epoch = next
        if unlink(old) != 0, errno != ENOENT { throw StorageError("remove", path: old, errno: errno) }
    }

    /// Recovery: cuts every file recorded in `epoch`'s journal back to its recorded length
    /// and removes those that did not exist; then removes every journal. Returns how many
    /// files were restored. A torn last journal line (the crash came while recording it) was
    /// never followed by an append, so it is ignored.
    @discardableResult
    package static func rollBack(stateDirectory: String, epoch: Int) throws(StorageError) -> Int {
        let journalPath = path(stateDirectory: stateDirectory, epoch: epoch)
        guard let bytes = try FileSystem.readAll(journalPath) else {
            try removeJournals(in: stateDirectory)
            return 0
        }
        var restored = 0
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
        if bytes.last != 0x0A, !lines.isEmpty { lines.removeLast() }  // torn: its append never happened
        for line in lines {
            guard let space = line.firstIndex(of: 0x20),
                  let length = Int64(String(decoding: line[line.startIndex..<space], as: UTF8.self))
            else { continue }
            let target = String(decoding: line[(space + 1)...], as: UTF8.self)
            if length < 0 {
                if unlink(target) != 0, errno != ENOENT { throw StorageError("remove", path: target, errno: errno) }
            } else {
                try cut(target, to: length)
            }
            restored += 1
        }
        try removeJournals(in: stateDirectory)
        return restored
    }

    /// Truncates `path` to `length`; a file that is gone is fine, a symbolic link (planted
    /// since the journal named the path) is refused rather than followed.
    private static func cut(_ path: String, to length: Int64) throws(StorageError) {
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            if errno == ELOOP { throw .symbolicLink("truncate", path: path) }
            throw StorageError("truncate", path: path, errno: errno)
        }
        defer { close(fd) }
        try FileSystem.requireRegularFile(FileDescriptor(rawValue: fd), path: path)
        guard ftruncate(fd, off_t(length)) == 0 else { throw StorageError("truncate", path: path, errno: errno) }
    }

    /// Removes every journal (live mode without the write-ahead log: there is nothing to replay
    /// after a cut, so nothing may be cut).
    package static func removeAll(stateDirectory: String) throws(StorageError) {
        try removeJournals(in: stateDirectory)
    }

    private static func removeJournals(in stateDirectory: String) throws(StorageError) {
        for name in FileSystem.list(stateDirectory) where name.hasPrefix("journal-") {
            let p = stateDirectory + "/" + name
            if unlink(p) != 0, errno != ENOENT { throw StorageError("remove", path: p, errno: errno) }
        }
    }
}
