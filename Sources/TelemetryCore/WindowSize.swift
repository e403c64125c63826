/// The length of a tumbling event-time window, such as `10s`, `1m` or `1h`.
///
/// Invariants: `milliseconds` is positive and divides one day evenly when the window is a
/// day or shorter, so that windows align to midnight (UTC, or the fixed offset of a
/// `WindowAlignment`, whose `phase(of:)` is passed to `start(containing:phase:)`); `name` is
/// the canonical spelling used in directory names and in the `window` field of rollup files.
///
/// Threading: a value type; safe to share.
public struct WindowSize: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Window length in milliseconds.
    public let milliseconds: Int64
    /// Canonical name: an integer followed by `ms`, `s`, `m`, `h` or `d`, e.g. `"10s"`.
    public let name: String

    /// Parses a window name such as `10s`, `1m`, `15m`, `1h`, `1d`.
    ///
    /// Returns `nil` for anything else (empty, zero, negative, unknown unit, a window that does
    /// not divide a day evenly, or one longer than a day).
    public init?(parsing text: some StringProtocol) {
        guard let (count, unitMs) = WindowSize.split(text), count > 0 else { return nil }
        let (ms, overflow) = count.multipliedReportingOverflow(by: unitMs)
        guard !overflow, ms > 0, ms <= WindowSize.dayMs, WindowSize.dayMs % ms == 0 else { return nil }
        self.milliseconds = ms
        self.name = WindowSize.canonicalName(ms)
    }

    /// A window of whole seconds; `seconds` must divide a day.
    public init?(seconds: Int64) { self.init(parsing: "\(seconds)s") }

    /// The window start (inclusive) that contains `eventTimeMs`, windows aligned to UTC midnight.
    @inlinable
    public func start(containing eventTimeMs: Int64) -> Int64 {
        let r = eventTimeMs % milliseconds
        return eventTimeMs - (r < 0 ? r + milliseconds : r)
    }

    /// The window start (inclusive) that contains `eventTimeMs` when windows start `phase`
    /// (in `0..<milliseconds`, `WindowAlignment.phase(of:)`) past a multiple of the size.
    @inlinable
    public func start(containing eventTimeMs: Int64, phase: Int64) -> Int64 {
        let r = (eventTimeMs - phase) % milliseconds
        return eventTimeMs - (r < 0 ? r + milliseconds : r)
    }

    public var description: String { name }
    public static func < (a: WindowSize, b: WindowSize) -> Bool { a.milliseconds < b.milliseconds }

    /// What `init(parsing:)` accepts, for error messages.
    public static let expectedFormat =
        "a whole number followed by s, m, h or d that divides a day evenly, e.g. 10s, 1m, 15m, 1h"

    static let dayMs: Int64 = 86_400_000

    private static func split(_ text: some StringProtocol) -> (Int64, Int64)? {
        let s = Substring(text)
        guard let unitStart = s.firstIndex(where: { !$0.isASCII || !$0.isNumber }),
              unitStart > s.startIndex,
              let count = Int64(s[s.startIndex..<unitStart]) else { return nil }
        switch s[unitStart...] {
        case "ms": return (count, 1)
        case "s": return (count, 1_000)
        case "m": return (count, 60_000)
        case "h": return (count, 3_600_000)
        case "d": return (count, 86_400_000)
        default: return nil
        }
    }

    private static func canonicalName(_ ms: Int64) -> String {
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1_000 == 0 { return "\(ms / 1_000)s" }
        return "\(ms)ms"
    }
}
