package import TelemetryCore

/// `<data_dir>/devices.jsonl`: the health of every device, one line each (the format is
/// ``DeviceHealth``'s, `DeviceHealth+JSON.swift`), rewritten whole and atomically — a reader
/// sees the previous list or the new one, never a mix — as `status.json` is.
///
/// Threading: an immutable value. ``write(_:)`` does blocking I/O on the calling thread (the
/// daemon's aggregator thread, at each status refresh); ``read()`` likewise (`telemetryctl`).
package struct DeviceHealthFile: Sendable, Equatable {
    /// Where the file is.
    package let path: String

    package init(_ directory: DataDirectory) {
        path = directory.devices
    }

    /// Replaces the file with `devices`, sorted by site then device (any order may be passed).
    package func write(_ devices: [DeviceHealth]) throws(StorageError) {
        try FileSystem.replaceAtomically(path, with: DeviceHealth.jsonLines(devices))
    }

    /// The devices in the file, in file order; `nil` when there is no file. Lines that are not
    /// device objects are skipped and counted; blank lines are ignored. A symbolic link is
    /// refused, not followed.
    package func read() throws(StorageError) -> Contents? {
        guard let bytes = try FileSystem.readAll(path) else { return nil }
        var contents = Contents()
        var lineNumber = 0
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            do {
                let health = try DeviceHealth(jsonLine: line)
                contents.lines.append(Line(health: health, text: String(decoding: line, as: UTF8.self)))
            } catch {
                contents.malformed.record(path: path, line: lineNumber)
            }
        }
        return contents
    }

    /// What ``read()`` found.
    package struct Contents: Sendable {
        /// The devices, in file order.
        package var lines: [Line] = []
        /// Lines skipped because they were not device objects.
        package var malformed = MalformedLineTally()

        package init(lines: [Line] = [], malformed: MalformedLineTally = MalformedLineTally()) {
            self.lines = lines
            self.malformed = malformed
        }
    }

    /// One device as read: its values and the line's text exactly as in the file (which
    /// `telemetryctl devices --format json` prints, unknown keys included).
    package struct Line: Sendable, Hashable {
        package var health: DeviceHealth
        package var text: String

        package init(health: DeviceHealth, text: String) {
            self.health = health
            self.text = text
        }
    }
}
