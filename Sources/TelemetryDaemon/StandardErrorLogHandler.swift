import Atomics
import Foundation
import Logging

/// A swift-log handler that writes one line per event to standard error, made for journald.
///
/// Under systemd (`$JOURNAL_STREAM` set) each line starts with the syslog priority in
/// angle brackets (`<3>`), which journald turns into the entry's priority, and carries no
/// timestamp (journald adds one). Elsewhere lines start with an RFC 3339 time and the level.
/// Metadata follows as `key=value`. The level can be changed while running (SIGHUP reload)
/// through the shared `LogLevelControl`.
///
/// Threading: a value type per logger; the level lives in an atomic shared by all copies and
/// each line is written with a single `write(2)`, so lines from different threads never mix.
public struct StandardErrorLogHandler: LogHandler {
    public let label: String
    public var metadata: Logger.Metadata = [:]
    private let control: LogLevelControl
    private let journald: Bool

    public init(label: String, control: LogLevelControl, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        self.control = control
        journald = environment["JOURNAL_STREAM"] != nil
    }

    public var logLevel: Logger.Level {
        get { control.level }
        set { control.level = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = journald ? "<\(Self.priority(event.level))>" : "\(Self.timestamp()) \(event.level.rawValue.uppercased()) "
        line += event.message.description
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += "\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

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

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}

/// The process-wide log level, changeable at run time.
///
/// Threading: `Sendable`; an atomic.
public final class LogLevelControl: Sendable {
    private let raw: ManagedAtomic<Int>
    private static let levels = Logger.Level.allCases

    public init(_ level: Logger.Level) { raw = ManagedAtomic(Self.levels.firstIndex(of: level)!) }

    public var level: Logger.Level {
        get { Self.levels[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.levels.firstIndex(of: newValue)!, ordering: .relaxed) }
    }
}
