import TelemetryCore
import TelemetryInspect
import TelemetryStorage

/// Resolves the window to read; prints a friendly line and returns `nil` when there are no
/// rollups at all yet. Throws, saying windows are still open, when there is no `rollups/` yet
/// and status.json counts open windows.
func resolveWindow(_ option: WindowOption, in directory: RollupDirectory) throws -> WindowSize? {
    let requested = try option.parsed()
    guard let window = try directory.resolveWindowExplained(requested) else {
        Console.err("no rollups yet in \(directory.rollupsPath) — telemetryd writes them as windows close")
        return nil
    }
    return window
}

/// Prints the malformed-line warning, if any, after flushing results so they stay in order.
func reportMalformed(_ tally: MalformedLineTally) {
    guard let summary = tally.summary else { return }
    Console.flush()
    Console.err(summary)
}

/// The "nothing matched" line for stderr.
func noMatchMessage(_ what: String, window: WindowSize?, filter: RollupFilter, defaulted: Bool = false) -> String {
    var text = "no \(window.map { $0.name + " " } ?? "")\(what) match"
    let summary = filter.summary
    if !summary.isEmpty { text += " (\(summary))" }
    if defaulted { text += "; that is the smallest window present — pick another with --window" }
    return text
}
