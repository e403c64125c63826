public import TelemetryCore
import Foundation

/// The rollup files under a telemetryd data directory:
/// `<data_dir>/rollups/<window>/<YYYY-MM-DD>/<HH>.jsonl|csv`, where date and hour are the UTC
/// date and hour of the window starts inside.
///
/// Finds which windows are present and which files can hold rollups in a time range, skipping
/// whole day directories and hour files outside it without opening them. Names that do not
/// follow the layout (temporary files, other extensions, a window directory whose name is not
/// canonical) are ignored.
///
/// Threading: an immutable value type; every call lists the file system afresh, so it sees
/// files the daemon creates meanwhile. Safe from any thread.
public struct RollupDirectory: Sendable {
    /// The data directory (`--data-dir`).
    public let dataDirectory: String

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    /// `<data_dir>/rollups`.
    public var rollupsPath: String { dataDirectory + "/rollups" }

    /// The windows that have a directory under `rollups/`, smallest first.
    ///
    /// Throws ``InspectError/rollupsDirectoryMissing(dataDirectory:)`` when `rollups/` does not
    /// exist (usually a wrong `--data-dir`).
    public func windows() throws(InspectError) -> [WindowSize] {
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
    /// Throws ``InspectError/windowNotPresent(_:present:dataDirectory:)`` when `requested` has
    /// no directory (the message lists the ones present).
    public func resolveWindow(_ requested: WindowSize?) throws(InspectError) -> WindowSize? {
        let present = try windows()
        guard let requested else { return present.first }
        guard present.contains(requested) else {
            throw .windowNotPresent(requested, present: present, dataDirectory: dataDirectory)
        }
        return requested
    }

    /// The files of `window` that can hold window starts in `range`, oldest hour first (for one
    /// hour, `.jsonl` before `.csv`).
    public func files(window: WindowSize, range: TimeRange = .unbounded) throws(InspectError) -> [RollupFileRef] {
        let windowPath = rollupsPath + "/" + window.name
        var result: [RollupFileRef] = []
        for day in try list(windowPath) {
            guard day.utf8.count == 10, let dayStart = UTCTimestamp.parse(day + "T00:00:00Z"),
                  range.overlaps(lower: dayStart, upper: dayStart + 86_400_000)
            else { continue }
            let dayPath = windowPath + "/" + day
            for name in try list(dayPath) {
                guard let kind = RollupFileKind(fileName: name) else { continue }
                let stem = name.dropLast(kind.rawValue.utf8.count + 1)
                guard stem.utf8.count == 2, let hour = Int64(stem), (0..<24).contains(hour) else { continue }
                let hourStart = dayStart + hour * 3_600_000
                guard range.overlaps(lower: hourStart, upper: hourStart + 3_600_000) else { continue }
                result.append(RollupFileRef(
                    path: dayPath + "/" + name, kind: kind, window: window, hourStart: hourStart))
            }
        }
        return result.sorted {
            $0.hourStart != $1.hourStart ? $0.hourStart < $1.hourStart : $0.kind == .jsonLines && $1.kind == .csv
        }
    }

    /// Directory entries (names), or empty when `path` is not an existing directory.
    private func list(_ path: String) throws(InspectError) -> [String] {
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

/// One rollup file found by ``RollupDirectory``: where it is, its encoding, its window, and
/// the UTC hour its window starts fall in (`[hourStart, hourStart + 1h)`).
///
/// Threading: an immutable value type; safe to share.
public struct RollupFileRef: Sendable, Hashable {
    public let path: String
    public let kind: RollupFileKind
    public let window: WindowSize
    /// Epoch ms of the UTC hour named by the file's date directory and file name.
    public let hourStart: Int64

    public init(path: String, kind: RollupFileKind, window: WindowSize, hourStart: Int64) {
        self.path = path
        self.kind = kind
        self.window = window
        self.hourStart = hourStart
    }

    /// A reader positioned at the start of this file.
    public func reader() -> RollupFileReader { RollupFileReader(path: path, kind: kind) }
}
