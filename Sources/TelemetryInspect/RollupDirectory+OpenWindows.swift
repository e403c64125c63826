package import TelemetryCore
package import TelemetryStorage

extension RollupDirectory {
    /// ``RollupDirectory/resolveWindow(_:)``, except that a data directory without `rollups/`
    /// whose `status.json` says windows are open throws
    /// ``RollupReadError/windowsStillOpen(dataDirectory:openWindows:nextCloseMs:)`` instead
    /// of ``RollupReadError/rollupsDirectoryMissing(dataDirectory:)``: the daemon is running
    /// there and has not closed a window yet (see ``explained(_:)``).
    package func resolveWindowExplained(_ requested: WindowSize?) throws(RollupReadError) -> WindowSize? {
        do {
            return try resolveWindow(requested)
        } catch {
            throw explained(error)
        }
    }

    /// `error`, or — when it is ``RollupReadError/rollupsDirectoryMissing(dataDirectory:)`` and
    /// the data directory's `status.json` counts open windows (`open_windows` > 0) —
    /// ``RollupReadError/windowsStillOpen(dataDirectory:openWindows:nextCloseMs:)`` with the
    /// status's `next_close` (RFC 3339) when it has one. A status that is missing or
    /// unreadable leaves `error` as it is.
    package func explained(_ error: RollupReadError) -> RollupReadError {
        guard case .rollupsDirectoryMissing = error,
              let status = try? StatusReport.load(dataDirectory: dataDirectory)
        else { return error }
        let root = JSONValue.object(status.members)
        guard let open = root.member("open_windows")?.int64Value, open > 0 else { return error }
        let nextClose = root.member("next_close")?.stringValue.flatMap(UTCTimestamp.parse)
        return .windowsStillOpen(dataDirectory: dataDirectory, openWindows: Int(open), nextCloseMs: nextClose)
    }
}
