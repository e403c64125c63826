package import TelemetryStorage

extension MalformedLineTally {
    /// One line for stderr, or `nil` when nothing was skipped; the location is sanitised for
    /// the terminal.
    package var summary: String? {
        guard count > 0 else { return nil }
        let noun = count == 1 ? "line" : "lines"
        let location = firstLocation.map { " (first at \(TerminalSafeText.sanitize($0)))" } ?? ""
        return "warning: skipped \(count) malformed rollup \(noun)\(location)"
    }
}
