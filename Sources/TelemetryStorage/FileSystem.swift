import Foundation
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file-system helpers shared by the sinks: directories with safe modes, listings,
/// atomic replacement, torn-line repair.
///
/// Failures are `StorageError`s naming the operation, the path and the system's reason.
/// Threading: stateless; each call is independent.
package enum FileSystem {
    /// Mode of a created directory: owner all, group read and search.
    static let directoryMode: mode_t = 0o750

    /// Creates `path` and its missing parents, each with mode 0750 exactly (whatever the
    /// umask). An existing directory is fine; an existing file of another kind is not.
    package static func makeDirectory(_ path: String) throws(StorageError) {
        switch createDirectory(path) {
        case nil:
            return
        case .fileExists?:
            guard isDirectory(path) else { throw StorageError("create directory", path: path, errno: .fileExists) }
        case .noSuchFileOrDirectory?:
            let parent = FilePath(path).removingLastComponent()
            guard !parent.isEmpty, parent != FilePath(path) else {
                throw StorageError("create directory", path: path, errno: .noSuchFileOrDirectory)
            }
            try makeDirectory(parent.string)
            // Another process may have created it meanwhile; that is fine too.
            if let again = createDirectory(path), again != .fileExists || !isDirectory(path) {
                throw StorageError("create directory", path: path, errno: again)
            }
        case let failure?:
            throw StorageError("create directory", path: path, errno: failure)
        }
    }

    /// `mkdir` then `chmod` (the umask may have removed bits); the reason on failure.
    private static func createDirectory(_ path: String) -> Errno? {
        guard mkdir(path, directoryMode) == 0, chmod(path, directoryMode) == 0 else { return Errno(rawValue: errno) }
        return nil
    }

    /// Whether `path` is a directory (or a link to one).
    private static func isDirectory(_ path: String) -> Bool {
        guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly, options: [.directory, .closeOnExec])
        else { return false }
        try? fd.close()
        return true
    }

    /// Replaces `path` with `bytes` atomically (write a temporary file, fsync, rename), so a
    /// reader sees either the old or the new content, never a mix.
    package static func replaceAtomically(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        let file = try AppendOnlyFile(path: temporary)
        try file.append(bytes)
        try file.sync()
        guard rename(temporary, path) == 0 else { throw StorageError("rename", path: temporary, errno: errno) }
    }

    /// The whole content of `path`, or nil when it does not exist.
    package static func readAll(_ path: String) throws(StorageError) -> [UInt8]? {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch let error as Errno {
            if error == .noSuchFileOrDirectory { return nil }
            throw StorageError("open", path: path, errno: error)
        } catch {
            throw StorageError("open", path: path, errno: .ioError)
        }
        defer { try? fd.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try StorageError.attempt("read", path: path) {
                try chunk.withUnsafeMutableBytes { try fd.read(into: $0, retryOnInterrupt: true) }
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Renames `path` to `newPath` (replacing it); the error names the source.
    package static func move(_ path: String, to newPath: String) throws(StorageError) {
        guard rename(path, newPath) == 0 else { throw StorageError("rename", path: path, errno: errno) }
    }

    /// Names in a directory, sorted; empty when it does not exist.
    package static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// Every regular file below `root` (recursively), sorted.
    package static func files(below root: String) -> [String] {
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
    package static func cutTornLastLine(_ path: String) throws(StorageError) -> Int {
        let file = try StorageError.attempt("open", path: path) {
            try FileDescriptor.open(FilePath(path), .readWrite, options: .closeOnExec)
        }
        defer { try? file.close() }
        let size = try StorageError.attempt("seek", path: path) { try file.seek(offset: 0, from: .end) }
        var end = size
        var buffer = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let chunk = Int(min(Int64(buffer.count), end))
            let start = end - Int64(chunk)
            let n = try StorageError.attempt("read", path: path) {
                try buffer.withUnsafeMutableBytes { all in
                    try file.read(fromAbsoluteOffset: start, into: UnsafeMutableRawBufferPointer(rebasing: all[..<chunk]))
                }
            }
            // A short read means the file shrank under us: do not guess where lines end.
            guard n == chunk else { throw StorageError("read", path: path, errno: .ioError) }
            if let i = buffer[..<chunk].lastIndex(of: 0x0A) {
                let keep = start + Int64(i) + 1
                if keep == size { return 0 }
                try StorageError.attempt("truncate", path: path) { try file.resize(to: keep) }
                return Int(size - keep)
            }
            end = start
        }
        try StorageError.attempt("truncate", path: path) { try file.resize(to: 0) }
        return Int(size)
    }
}
