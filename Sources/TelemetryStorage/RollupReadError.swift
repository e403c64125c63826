package import TelemetryCore

/// Why rollup files could not be read back, each case worded so the message
/// (``description``) tells the user what to check.
///
/// Threading: an immutable value type; safe to share.
package enum RollupReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data directory has no `rollups/` directory (usually a wrong `--data-dir`).
    case rollupsDirectoryMissing(dataDirectory: String)
    /// A window that is valid but has no rollups in the data directory (the ones present).
    case windowNotPresent(WindowSize, present: [WindowSize], dataDirectory: String)
    /// A rollup file or directory could not be read.
    case unreadable(path: String, reason: String)

    package var description: String {
        switch self {
        case .rollupsDirectoryMissing(let dir):
            "no rollups directory in \(dir) — is telemetryd running with --data-dir \(dir)?"
        case .windowNotPresent(let window, let present, let dir):
            "no \(window.name) rollups in \(dir)/rollups; windows present: "
                + (present.isEmpty ? "none yet" : present.map(\.name).joined(separator: ", "))
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        }
    }
}
