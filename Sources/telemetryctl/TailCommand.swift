import ArgumentParser
import Foundation
import TelemetryCore
import TelemetryInspect
import TelemetryStorage

/// `telemetryctl tail`: the newest rollups, optionally following new ones.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the newest rollups of one window; with -f keep printing new ones.",
        discussion: """
            With -f, new complete lines are printed as telemetryd writes them (checked every \
            250 ms), including from hour and day files created later. Press Ctrl-C to stop.
            """)

    @OptionGroup var global: GlobalOptions
    @ParentCommand var parent: TelemetryCtl

    @Flag(name: .shortAndLong, help: "Keep following new rollups until interrupted.")
    var follow = false

    @Option(name: .short, parsing: .unconditional, help: ArgumentHelp("How many of the newest rollups to print first.", valueName: "n"))
    var n = 10

    @OptionGroup var window: WindowOption
    @OptionGroup var filters: FilterOptions
    @OptionGroup var format: FormatOption
    @OptionGroup var table: TableOptions

    func validate() throws {
        if n < 0 {
            throw ValidationError(InspectError.invalidCount(option: "-n", value: n, minimum: 0).description)
        }
    }

    func run() throws {
        let format = try format.parsed()
        let directory = RollupDirectory(dataDirectory: global.resolvedDataDir(parent: parent.global))
        var window = try directory.resolveWindowExplained(self.window.parsed())
        if window == nil {
            guard follow else {
                Console.err("no rollups yet in \(directory.rollupsPath) — telemetryd writes them as windows close")
                return
            }
            Console.err("no rollups yet in \(directory.rollupsPath); waiting for telemetryd to write some (Ctrl-C to stop)")
        }
        var printer = RowPrinter(format: format, style: try table.style())
        var tail: RollupTail?
        if let window {
            var t = RollupTail(directory: directory, window: window, filter: filters.filter())
            let rows = try t.newest(n)
            if rows.isEmpty, !follow {
                Console.err(noMatchMessage("rollups", window: window, filter: filters.filter()))
            }
            printer.print(rows)
            reportMalformed(t.malformed)
            tail = t
        }
        guard follow else { return }
        var reported = tail?.malformed.count ?? 0
        while true {
            Console.flush()
            Thread.sleep(forTimeInterval: 0.25)
            if tail == nil {
                // No rollups existed at start: wait for the smallest window to appear.
                guard let w = try directory.resolveWindowExplained(nil) else { continue }
                window = w
                tail = RollupTail(directory: directory, window: w, filter: filters.filter())
            }
            guard var t = tail else { continue }
            let rows = try t.poll()
            printer.print(rows)
            if t.malformed.count > reported, let summary = t.malformed.summary {
                Console.flush()
                Console.err(summary)
                reported = t.malformed.count
            }
            tail = t
        }
    }
}

/// Prints rows as they arrive: JSON Lines as is, CSV with one header, tables with one header
/// and widths and decimals that only grow.
struct RowPrinter {
    let format: OutputFormat
    private var table: RollupTable
    private var headerDone = false

    init(format: OutputFormat, style: RollupTable.Style) {
        self.format = format
        self.table = RollupTable(style: style)
    }

    mutating func print(_ rows: [RollupRow]) {
        switch format {
        case .json:
            for row in rows { Console.out(RollupRowFormatter.jsonLine(row), format: .json) }
        case .csv:
            if !headerDone { Console.out(RollupRowFormatter.csvHeader, format: .csv); headerDone = true }
            for row in rows { Console.out(RollupRowFormatter.csvLine(row), format: .csv) }
        case .table:
            guard !rows.isEmpty else { return }
            table.fit(rows)
            if !headerDone { Console.out(table.headerLines()); headerDone = true }
            Console.out(table.lines(rows))
        }
    }
}
