import Foundation
package import TelemetryCore

/// The rollup files under a telemetryd data directory, found through ``DataDirectory``'s
/// layout: `<data_dir>/rollups/<window>/<YYYY-MM-DD>/<HH>.jsonl|csv`, where date and hour are
/// the UTC date and hour of the window starts inside.
///
/// Finds which windows are present and which files can hold rollups in a time range, skipping
/// whole day directories and hour files outside it without opening them. Names that do not
/// follow the layout (temporary files, other extensions, a window directory whose name is not
/// canonical) are ignored.
///
/// Threading: an immutable value type; every call lists the file system afresh, so it sees
/// files the daemon creates meanwhile. Safe from any thread.
package struct RollupDirectory: Sendable {
    /// The data directory's layout.
    package let layout: DataDirectory

    package init(_ layout: DataDirectory) {
        self.layout = layout
    }

    /// The rollups of the data directory at `dataDirectory` (`--data-dir`).
    package init(dataDirectory: String) {
        self.init(DataDirectory(dataDirectory))
    }

    /// The data directory (`--data-dir`).
    package var dataDirectory: String { layout.root }

    /// `<data_dir>/rollups`.
    package var rollupsPath: String { layout.rollups }

    /// The windows that have a directory under `rollups/`, smallest first.
    ///
    /// Throws ``RollupReadError/rollupsDirectoryMissing(dataDirectory:)`` when `rollups/` does not
    /// exist (usually a wrong `--data-dir`).
    package func windows() throws(RollupReadError) -> [WindowSize] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rollupsPath, isDirectory: &isDirectory),
              isDirectory.boolValue
        else { throw .rollupsDirectoryMissing(dataDirectory: dataDirectory) }
        return try list(rollupsPath).compactMap { name -> WindowSize? in
            guard let w = WindowSize(parsing: name), w.name == name else { return nil }
            return w
        }.sorted()
    }

    /// The window to use: `requested` when it is present, the smallest present window when
    /// `requested` is `nil`, or `nil` when no window has any rollups yet.
    ///
    /// Throws ``RollupReadError/windowNotPresent(_:present:dataDirectory:)`` when `requested` has
    /// no directory (the message lists the ones present).
    package func resolveWindow(_ requested: WindowSize?) throws(RollupReadError) -> WindowSize? {
        let present = try windows()
        guard let requested else { return present.first }
        guard present.contains(requested) else {
            throw .windowNotPresent(requested, present: present, dataDirectory: dataDirectory)
        }
        return requested
    }

    /// The files of `window` that can hold window starts in `[from, to)` (either bound may be
    /// open), oldest hour first (for one hour, `.jsonl` before `.csv`).
    package func files(window: WindowSize, from: Int64? = nil, to: Int64? = nil) throws(RollupReadError) -> [RollupFileRef] {
        func overlaps(lower: Int64, upper: Int64) -> Bool {
            if let from, upper <= from { return false }
            if let to, lower >= to { return false }
            return true
        }
        var result: [RollupFileRef] = []
        for day in try list(layout.rollupWindow(window.name)) {
            guard let dayStart = DataDirectory.rollupDayStart(day),
                  overlaps(lower: dayStart, upper: dayStart + 86_400_000)
            else { continue }
            let dayPath = layout.rollupDay(window: window.name, day: day)
            for name in try list(dayPath) {
                guard let (hour, format) = DataDirectory.rollupHourFile(name) else { continue }
                let hourStart = dayStart + Int64(hour) * 3_600_000
                guard overlaps(lower: hourStart, upper: hourStart + 3_600_000) else { continue }
                result.append(RollupFileRef(
                    path: dayPath + "/" + name, format: format, window: window, hourStart: hourStart))
            }
        }
        return result.sorted {
            $0.hourStart != $1.hourStart ? $0.hourStart < $1.hourStart : $0.format == .jsonl && $1.format == .csv
        }
    }

    /// Directory entries (names), or empty when `path` is not an existing directory.
    private func list(_ path: String) throws(RollupReadError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
              isDirectory.boolValue
        else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .unreadable(path: path, reason: "cannot list directory (check its permissions)")
        }
    }
}
