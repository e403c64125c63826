import Foundation
package import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file-system helpers shared by the sinks: directories with safe modes, listings,
/// atomic replacement, torn-line repair.
///
/// Inside the data directory no symbolic link is followed: files are opened with
/// `O_NOFOLLOW`, listings use `lstat`, and directories are made with
/// ``makeDirectory(_:inside:)``, which refuses a linked component.
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

    /// Creates `path` and its missing parents (mode 0750, as `makeDirectory(_:)`) where
    /// `path` lies inside the data directory `root`: every component below `root` must be a
    /// real directory, and a symbolic link among them is refused (``StorageError/symbolicLink(_:path:)``)
    /// rather than followed out of the data directory. `root` itself and its parents may be
    /// links (systemd's `DynamicUser=` makes `/var/lib/telemetryd` one). Each component is
    /// checked with `lstat` after it is made or found; a link planted after the check is not
    /// seen, but the files opened in it still refuse to be links themselves (`O_NOFOLLOW`).
    package static func makeDirectory(_ path: String, inside root: String) throws(StorageError) {
        let base = FilePath(root), target = FilePath(path)
        guard target != base, target.starts(with: base) else { return try makeDirectory(path) }
        try makeDirectory(root)
        var current = base
        for component in target.components.dropFirst(base.components.count) {
            current.append(component)
            let p = current.string
            let created = mkdir(p, directoryMode) == 0
            if !created, errno != EEXIST { throw StorageError("create directory", path: p, errno: errno) }
            switch kind(p) {
            case .directory:
                if created, chmod(p, directoryMode) != 0 { throw StorageError("create directory", path: p, errno: errno) }
            case .symbolicLink:
                throw .symbolicLink("create directory", path: p)
            case .regular, .special:
                throw StorageError("create directory", path: p, errno: .fileExists)
            case .missing(let failure):
                throw StorageError("create directory", path: p, errno: failure)
            }
        }
    }

    /// What is at a path, by `lstat` (a link is a link, not what it points to).
    package enum EntryKind: Equatable, Sendable {
        case regular, directory, symbolicLink
        /// A FIFO, socket or device.
        case special
        /// Nothing (or `lstat` failed, for this reason).
        case missing(Errno)
    }

    /// What `path` is, without following a final symbolic link.
    package static func kind(_ path: String) -> EntryKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing(Errno(rawValue: errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .special
        }
    }

    /// Throws unless `descriptor` (opened as `path`) is a regular file.
    package static func requireRegularFile(_ descriptor: FileDescriptor, path: String) throws(StorageError) {
        var info = stat()
        guard fstat(descriptor.rawValue, &info) == 0 else { throw StorageError("stat", path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile("open", path: path) }
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

    /// The whole content of `path`, or nil when it does not exist. A symbolic link is refused.
    package static func readAll(_ path: String) throws(StorageError) -> [UInt8]? {
        let fd: FileDescriptor
        do {
            // No link followed; non-blocking, so that a FIFO planted here reads as empty.
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .noFollow, .nonBlocking])
        } catch let error as Errno {
            if error == .noSuchFileOrDirectory { return nil }
            if error == .tooManySymbolicLinkLevels { throw .symbolicLink("open", path: path) }
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

    /// Deletes the file at `path`; one that is not there is not an error.
    package static func remove(_ path: String) throws(StorageError) {
        if unlink(path) != 0, errno != ENOENT { throw StorageError("remove", path: path, errno: errno) }
    }

    /// Names in a directory, sorted; empty when it does not exist.
    package static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// Every regular file below `root` (recursively), sorted. Symbolic links are neither
    /// listed nor followed (see ``entries(below:)``).
    package static func files(below root: String) -> [String] { entries(below: root).files }

    /// What lies below `root`, recursively, by `lstat`: the regular files (sorted), and the
    /// entries that are neither regular files nor directories — symbolic links (never
    /// followed, into directories either) and FIFOs, sockets, devices — which telemetryd
    /// leaves alone.
    package static func entries(below root: String) -> (files: [String], skipped: [SkippedEntry]) {
        var files: [String] = [], skipped: [SkippedEntry] = []
        func walk(_ directory: String) {
            for name in list(directory) {
                let path = directory + "/" + name
                switch kind(path) {
                case .regular: files.append(path)
                case .directory: walk(path)
                case .symbolicLink: skipped.append(SkippedEntry(path: path, kind: .symbolicLink(target: linkTarget(path))))
                case .special: skipped.append(SkippedEntry(path: path, kind: .special))
                case .missing: continue  // removed meanwhile
                }
            }
        }
        if kind(root) == .directory { walk(root) }
        return (files.sorted(), skipped.sorted { $0.path < $1.path })
    }

    /// Where the symbolic link at `path` points (as written in the link), or "?".
    private static func linkTarget(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return "?" }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Cuts a file back to just after its last `\n`, removing a torn last line left by a
    /// crash mid-write. Returns the number of bytes removed. Only a regular file is cut: a
    /// symbolic link (whose target may be anyone's file) or a FIFO is refused.
    @discardableResult
    package static func cutTornLastLine(_ path: String) throws(StorageError) -> Int {
        let file = try StorageError.attempt("open", path: path, refusingLinks: true) {
            try FileDescriptor.open(FilePath(path), .readWrite, options: [.closeOnExec, .noFollow, .nonBlocking])
        }
        defer { try? file.close() }
        try requireRegularFile(file, path: path)
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
