/// The fixed UTC offset whose midnight windows are aligned to (`windows.align`): with
/// `+07:00` a `1d` window runs from 17:00Z to 17:00Z, a Vietnamese day. Times in files stay UTC.
///
/// A window of size `W` starts at `phase(of: W)` past a multiple of `W` since the epoch,
/// the phase being the offset's distance behind UTC midnight modulo `W`: zero for every
/// window the offset is a multiple of (`10s`, `1m` and `1h` under `+07:00`), so only the
/// windows it matters to move (`1d`; `1h` too under `+05:30`).
///
/// Invariants: `offsetMinutes` is within ±14 h; `name` is `±HH:MM` (UTC is `+00:00`).
/// Threading: a value type; safe to share.
public struct WindowAlignment: Hashable, Sendable, CustomStringConvertible {
    /// The offset east of UTC in minutes (`+07:00` is 420, `-03:30` is −210).
    public let offsetMinutes: Int

    /// Windows aligned to UTC midnight (the default).
    public static let utc = WindowAlignment(uncheckedMinutes: 0)

    /// An offset of `offsetMinutes` east of UTC; nil beyond ±14 hours.
    public init?(offsetMinutes: Int) {
        guard (-14 * 60...14 * 60).contains(offsetMinutes) else { return nil }
        self.offsetMinutes = offsetMinutes
    }

    private init(uncheckedMinutes: Int) { self.offsetMinutes = uncheckedMinutes }

    /// Parses `+07:00`, `-03:30`, `+0700`, `+07`, `UTC` or `Z`; nil for anything else.
    public init?(parsing text: some StringProtocol) {
        let s = Array(text.utf8)
        if s == Array("UTC".utf8) || s == Array("Z".utf8) || s == Array("utc".utf8) {
            self.init(uncheckedMinutes: 0)
            return
        }
        guard s.count >= 3, s[0] == UInt8(ascii: "+") || s[0] == UInt8(ascii: "-") else { return nil }
        var digits = Array(s[1...])
        if digits.count == 5, digits[2] == UInt8(ascii: ":") { digits.remove(at: 2) }
        guard digits.count == 2 || digits.count == 4,
              digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let value = digits.map { Int($0 - UInt8(ascii: "0")) }
        let hours = value[0] * 10 + value[1]
        let minutes = digits.count == 4 ? value[2] * 10 + value[3] : 0
        guard minutes < 60 else { return nil }
        self.init(offsetMinutes: (s[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 60 + minutes))
    }

    /// `±HH:MM`.
    public var name: String {
        let m = offsetMinutes < 0 ? -offsetMinutes : offsetMinutes
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return (offsetMinutes < 0 ? "-" : "+") + two(m / 60) + ":" + two(m % 60)
    }

    public var description: String { name }

    /// How far past a multiple of `size` (since the epoch) its windows start, in `0..<size`.
    public func phase(of size: WindowSize) -> Int64 {
        let ms = size.milliseconds
        let p = (-Int64(offsetMinutes) * 60_000) % ms
        return p < 0 ? p + ms : p
    }

    /// What `init(parsing:)` accepts, for error messages.
    public static let expectedFormat = "a UTC offset such as +07:00, -03:30 or UTC"
}
