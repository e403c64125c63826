import Foundation
import TelemetryInspect

/// Where the commands write: results to stdout, messages to stderr.
///
/// Results carry text from devices. When stdout is a terminal every line is made safe for it
/// in its format (``TerminalSafeText/forTerminal(_:format:)``: JSON stays JSON with the same
/// values); through a pipe or into a file it is written as it is, so `query --format json`
/// prints a rollup file's bytes.
enum Console {
    /// Whether stdout is a terminal.
    static let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1

    /// One line of results on stdout, in `format` (tables, charts and status count as `table`).
    static func out(_ line: String, format: OutputFormat = .table) {
        print(stdoutIsTerminal ? TerminalSafeText.forTerminal(line, format: format) : line)
    }

    /// Several lines of results on stdout.
    static func out(_ lines: [String], format: OutputFormat = .table) {
        for line in lines { out(line, format: format) }
    }

    /// Pushes buffered stdout to the terminal or pipe (for `tail -f`).
    static func flush() {
        fflush(nil)
    }

    /// One message line on stderr (warnings, "no results").
    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// The wall clock, in the epoch milliseconds the library uses.
enum Clock {
    static var nowMilliseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
