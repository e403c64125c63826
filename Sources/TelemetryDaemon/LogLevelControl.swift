package import Logging
import Synchronization

/// The process-wide log level, changeable at run time (SIGHUP reload). Every
/// `StandardErrorLogHandler` made with it follows it until given a level of its own.
///
/// Threading: `Sendable`; an atomic.
package final class LogLevelControl: Sendable {
    private let raw: Atomic<Int>
    private static let levels = Logger.Level.allCases

    package init(_ level: Logger.Level) { raw = Atomic(Self.levels.firstIndex(of: level)!) }

    package var level: Logger.Level {
        get { Self.levels[raw.load(ordering: .relaxed)] }
        set { raw.store(Self.levels.firstIndex(of: newValue)!, ordering: .relaxed) }
    }
}
