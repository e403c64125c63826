import Foundation

/// Where the commands write: results to stdout, messages to stderr.
enum Console {
    /// One line of results on stdout.
    static func out(_ line: String) {
        print(line)
    }

    /// Several lines of results on stdout.
    static func out(_ lines: [String]) {
        for line in lines { print(line) }
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
