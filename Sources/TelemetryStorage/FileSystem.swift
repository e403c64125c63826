import Foundation

/// Small file-system helpers shared by the sinks: directories with safe modes, listings,
/// atomic replacement, torn-line repair.
///
/// Threading: stateless; each call is independent.
public enum FileSystem {
    /// Creates `path` and its parents with mode 0750 if missing.
    public static func makeDirectory(_ path: String) throws(StorageError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw StorageError("create directory", path: path, errno: Int32((error as NSError).code))
        }
    }

    /// Replaces `path` with `bytes` atomically (write a temporary file, fsync, rename), so a
    /// reader sees either the old or the new content, never a mix.
    public static func replaceAtomically(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        let file = try AppendOnlyFile(path: temporary)
        try file.append(bytes)
        try file.sync()
        guard rename(temporary, path) == 0 else { throw StorageError("rename", path: temporary, errno: errno) }
    }

    /// Names in a directory, sorted; empty when it does not exist.
    public static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// Every regular file below `root` (recursively), sorted.
    public static func files(below root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = root + "/" + rel
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { out.append(full) }
        }
        return out.sorted()
    }

    /// Cuts a file back to just after its last `\n`, removing a torn last line left by a
    /// crash mid-write. Returns the number of bytes removed.
    @discardableResult
    public static func cutTornLastLine(_ path: String) throws(StorageError) -> Int {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError("open", path: path, errno: errno) }
        defer { close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return 0 }
        var end = size
        var buffer = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let chunk = min(4096, end)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, chunk, off_t(end - chunk)) }
            guard n == chunk else { throw StorageError("read", path: path, errno: errno) }
            if let i = buffer[0..<chunk].lastIndex(of: 0x0A) {
                let keep = end - chunk + i + 1
                if keep == size { return 0 }
                guard ftruncate(fd, off_t(keep)) == 0 else { throw StorageError("truncate", path: path, errno: errno) }
                return size - keep
            }
            end -= chunk
        }
        guard ftruncate(fd, 0) == 0 else { throw StorageError("truncate", path: path, errno: errno) }
        return size
    }
}
