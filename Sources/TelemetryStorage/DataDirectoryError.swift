package import SystemPackage

/// Why telemetryd may not use a data directory: another instance holds it, or it cannot be
/// written. Each case names the directory, and says what a person needs to act on it.
///
/// Threading: a value type.
package enum DataDirectoryError: Error, Sendable, CustomStringConvertible {
    /// Another process holds `<directory>/telemetryd.lock`; `holderPID` is the PID written in
    /// it (nil when the holder has not written it yet).
    case inUse(directory: String, holderPID: Int32?)
    /// A probe file could not be created, written or removed in the directory.
    case notWritable(directory: String, errno: Errno)
    /// The lock file or the directory could not be created, opened or locked.
    case file(StorageError)

    package var description: String {
        switch self {
        case .inUse(let directory, let pid?):
            "data directory \(directory) is in use by telemetryd PID \(pid)"
        case .inUse(let directory, nil):
            "data directory \(directory) is in use by another telemetryd (its PID is not written yet)"
        case .notWritable(let directory, let errno):
            "data directory \(directory) is not writable: \(errno)"
        case .file(let error):
            error.description
        }
    }
}
