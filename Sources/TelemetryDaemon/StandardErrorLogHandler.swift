import Foundation
package import Logging
import TelemetryCore

/// A swift-log handler that writes one line per event to standard error, made for journald.
///
/// Under systemd (`$JOURNAL_STREAM` set) each line starts with the syslog priority in
/// angle brackets (`<3>`), which journald turns into the entry's priority, and carries no
/// timestamp (journald adds one). Elsewhere lines start with an RFC 3339 UTC time with
/// milliseconds and the level: `2026-11-24T06:00:00.123Z WARNING message`. Metadata
/// follows as `key=value`, sorted by key (the event's wins over the handler's).
///
/// Level: a handler follows the process-wide `LogLevelControl` (changed on SIGHUP) until
/// its own `logLevel` is set; from then on that handler (and copies made from it) keeps its
/// own level, and no other handler or logger is affected, as swift-log requires.
///
/// Threading: a value type per logger; the shared level is an atomic, and each line is
/// written with a single `write(2)`, so lines from different threads never mix.
package struct StandardErrorLogHandler: LogHandler {
    package let label: String
    package var metadata: Logger.Metadata = [:]
    private let control: LogLevelControl
    /// The level given to this handler; `nil` while it follows `control`.
    private var ownLevel: Logger.Level?
    private let journald: Bool

    package init(label: String, control: LogLevelControl, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        self.control = control
        journald = environment["JOURNAL_STREAM"] != nil
    }

    package var logLevel: Logger.Level {
        get { ownLevel ?? control.level }
        set { ownLevel = newValue }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var bytes = line(for: event, atMs: WallClock.nowMs())
        bytes.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// The line written for `event` at `ms` (epoch milliseconds), newline included.
    func line(for event: LogEvent, atMs ms: Int64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        if journald {
            out.append(contentsOf: "<\(Self.priority(event.level))>".utf8)
        } else {
            UTCTimestamp.append(milliseconds: ms, to: &out)
            out.append(0x20)
            out.append(contentsOf: event.level.rawValue.uppercased().utf8)
            out.append(0x20)
        }
        out.append(contentsOf: event.message.description.utf8)
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            out.append(contentsOf: " \(key)=\(value)".utf8)
        }
        out.append(0x0A)
        return out
    }

    /// The syslog priority journald reads from a `<N>` prefix.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}
