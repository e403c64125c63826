package import TelemetryCore

/// Why rollup files could not be read back, each case worded so the message
/// (``description``) tells the user what to check.
///
/// Threading: an immutable value type; safe to share.
package enum RollupReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data directory has no `rollups/` directory (usually a wrong `--data-dir`).
    case rollupsDirectoryMissing(dataDirectory: String)
    /// No rollup has been written yet (there is no `rollups/` directory), but the daemon's
    /// `status.json` says windows are open: how many, and when the first is expected to be
    /// written (`next_close`, epoch ms) when the status says so.
    case windowsStillOpen(dataDirectory: String, openWindows: Int, nextCloseMs: Int64?)
    /// A window that is valid but has no rollups in the data directory (the ones present).
    case windowNotPresent(WindowSize, present: [WindowSize], dataDirectory: String)
    /// A rollup file or directory could not be read.
    case unreadable(path: String, reason: String)

    package var description: String {
        switch self {
        case .rollupsDirectoryMissing(let dir):
            "no rollups directory in \(dir) — is telemetryd running with --data-dir \(dir)?"
        case .windowsStillOpen(let dir, let open, let nextCloseMs):
            "no rollups written yet in \(dir): "
                + (open == 1 ? "1 window is still open" : "\(open) windows are still open")
                + (nextCloseMs.map { "; the first closes at about \(UTCTimestamp.format(milliseconds: $0))" }
                    ?? "; each is written once its end plus the lateness has passed")
                + " (from status.json)"
        case .windowNotPresent(let window, let present, let dir):
            "no \(window.name) rollups in \(dir)/rollups; windows present: "
                + (present.isEmpty ? "none yet" : present.map(\.name).joined(separator: ", "))
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        }
    }
}
