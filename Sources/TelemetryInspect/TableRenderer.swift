/// Aligned text columns for people.
///
/// Every cell is passed through ``TerminalSafeText/sanitize(_:)`` before it is measured or
/// printed, so no control character from the data reaches the terminal and alignment counts
/// what is actually shown. Columns are separated by two spaces; text columns are left-aligned,
/// number columns right-aligned; no trailing spaces.
///
/// Use ``render(columns:rows:)`` for a complete table. For a stream (like `tail -f`), create an
/// instance, ``fit(_:)`` the rows known so far, print ``headerLines()``, then ``line(_:)`` per
/// row; widths only grow, so later wide cells push their column out.
///
/// Threading: a value type; mutate from one thread.
package struct TableRenderer: Sendable {
    /// A column: its header and alignment.
    package struct Column: Sendable, Hashable {
        package let header: String
        package let alignRight: Bool

        package init(_ header: String, alignRight: Bool = false) {
            self.header = header
            self.alignRight = alignRight
        }
    }

    package let columns: [Column]
    /// Current width of each column in terminal cells.
    package private(set) var widths: [Int]

    package init(columns: [Column]) {
        self.columns = columns
        self.widths = columns.map { TerminalSafeText.displayWidth(TerminalSafeText.sanitize($0.header)) }
    }

    /// Widens columns so that `cells` fits.
    package mutating func fit(_ cells: [String]) {
        for (i, cell) in cells.enumerated() where i < widths.count {
            widths[i] = Swift.max(widths[i], TerminalSafeText.displayWidth(TerminalSafeText.sanitize(cell)))
        }
    }

    /// The header line and a rule under it.
    package func headerLines() -> [String] {
        [line(columns.map(\.header)), line(widths.map { String(repeating: "─", count: $0) }, rule: true)]
    }

    /// One row, sanitised and padded to the current widths.
    package func line(_ cells: [String]) -> String {
        line(cells, rule: false)
    }

    private func line(_ cells: [String], rule: Bool) -> String {
        var parts: [String] = []
        for (i, width) in widths.enumerated() {
            let cell = i < cells.count ? (rule ? cells[i] : TerminalSafeText.sanitize(cells[i])) : ""
            let isLast = i == widths.count - 1
            let alignRight = columns[i].alignRight
            parts.append(isLast && !alignRight ? cell : TerminalSafeText.pad(cell, to: width, alignRight: alignRight))
        }
        return parts.joined(separator: "  ")
    }

    /// A complete table: header and rule (unless `header` is false), then one line per row.
    package static func render(columns: [Column], rows: [[String]], header: Bool = true) -> [String] {
        var table = TableRenderer(columns: columns)
        if !header { table.widths = Array(repeating: 0, count: columns.count) }
        for row in rows { table.fit(row) }
        return (header ? table.headerLines() : []) + rows.map { table.line($0) }
    }
}
