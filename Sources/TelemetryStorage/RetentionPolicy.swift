import Foundation
import TelemetryCore

/// Deletes rollup day partitions and dead-letter files older than a number of days.
///
/// A partition `rollups/<window>/<YYYY-MM-DD>` (or `deadletter/<YYYY-MM-DD>.jsonl`) is
/// deleted when its whole UTC day ended more than `days` days before `nowMs`. `days == 0`
/// keeps everything. Only telemetryd's own directories are looked into: a window directory
/// that is a symbolic link is not followed (what it points to is not telemetryd's to delete).
/// Threading: an immutable value; `prune` does file I/O on the calling thread.
package struct RetentionPolicy: Sendable, Equatable {
    package let days: Int

    package init(days: Int) { self.days = days }

    /// Deletes what is too old; returns the paths removed.
    @discardableResult
    package func prune(_ directory: DataDirectory, nowMs: Int64) -> [String] {
        guard days > 0 else { return [] }
        let cutoff = UTCTimestamp.dayString(milliseconds: nowMs - Int64(days) * 86_400_000)
        var removed: [String] = []
        for window in FileSystem.list(directory.rollups)
        where FileSystem.kind("\(directory.rollups)/\(window)") == .directory {
            for day in FileSystem.list("\(directory.rollups)/\(window)") where Self.isDay(day) && day < cutoff {
                let path = "\(directory.rollups)/\(window)/\(day)"
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
            }
        }
        for file in FileSystem.list(directory.deadLetters) where file.hasSuffix(".jsonl") {
            let day = String(file.dropLast(6))
            if Self.isDay(day), day < cutoff {
                let path = "\(directory.deadLetters)/\(file)"
                if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
            }
        }
        return removed
    }

    static func isDay(_ s: String) -> Bool { UTCTimestamp.parse(s + "T00:00:00Z") != nil }
}
