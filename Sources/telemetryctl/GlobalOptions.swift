import ArgumentParser
import Foundation

/// Options every subcommand accepts: where the daemon's data directory is.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The telemetryd data directory (default: $TELEMETRYD_DATA_DIR, else /var/lib/telemetryd).",
            valueName: "dir"))
    var dataDir: String?

    /// The directory to read: `--data-dir` (after the subcommand, else before it), else
    /// `$TELEMETRYD_DATA_DIR`, else the default.
    func resolvedDataDir(parent: GlobalOptions) -> String {
        var dir = dataDir ?? parent.dataDir
            ?? ProcessInfo.processInfo.environment["TELEMETRYD_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/var/lib/telemetryd"
        while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
        return dir
    }
}
