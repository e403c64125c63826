package import TelemetryCore

/// Rollup rows as a table for people: window start in the display zone, tags, count, and the
/// float fields each in one ``ColumnNumberFormat`` (as many decimals as the column's values
/// need, or `--precision N`); with ``Style/showsWindow`` a `window` column after the start
/// (a query over several windows).
///
/// Use ``render(_:style:)`` for a complete table; for a stream (`tail -f`) create one, then per
/// batch ``fit(_:)`` the rows, print ``headerLines()`` once, then ``lines(_:)``. Widths and
/// decimals only grow. Cells are sanitised by ``TableRenderer``.
///
/// Threading: a value type; mutate from one thread.
package struct RollupTable: Sendable {
    /// How the table shows rows.
    package struct Style: Sendable, Equatable {
        /// Decimals for every float column (`--precision`), or `nil` to follow the data.
        package var precision: Int?
        /// The zone times are shown in (`--tz`).
        package var timeZone: DisplayTimeZone
        /// Whether there is a `window` column.
        package var showsWindow: Bool

        package init(precision: Int? = nil, timeZone: DisplayTimeZone = .utc, showsWindow: Bool = false) {
            self.precision = precision
            self.timeZone = timeZone
            self.showsWindow = showsWindow
        }
    }

    /// The float fields, in column order: the statistics, then the median and the 99th
    /// percentile (a dash for rows without them: files from before percentiles, or
    /// `percentiles` configured without them; `--format json|csv` has every one).
    private static let floatFields: [(String, @Sendable (RollupRow) -> Double)] = [
        ("min", \.min), ("max", \.max), ("mean", \.mean), ("sum", \.sum), ("first", \.first), ("last", \.last),
        ("stddev", \.stddev), ("p50", { percentile("p50", of: $0) }), ("p99", { percentile("p99", of: $0) }),
    ]

    private static func percentile(_ name: String, of row: RollupRow) -> Double {
        row.percentiles.first { $0.percentile.name == name }?.value ?? .nan
    }

    package let style: Style
    private var table: TableRenderer
    private var numbers: [ColumnNumberFormat]

    package init(style: Style = Style()) {
        self.style = style
        var columns: [TableRenderer.Column] = [.init(style.timeZone.header("start"))]
        if style.showsWindow { columns.append(.init("window")) }
        columns += [.init("site"), .init("device"), .init("metric"), .init("count", alignRight: true)]
        columns += Self.floatFields.map { .init($0.0, alignRight: true) }
        table = TableRenderer(columns: columns)
        let empty = style.precision.map(ColumnNumberFormat.precision) ?? ColumnNumberFormat()
        numbers = Array(repeating: empty, count: Self.floatFields.count)
    }

    /// The column headers.
    package var headers: [String] { table.columns.map(\.header) }

    /// Widens decimals and widths so that `rows` fit.
    package mutating func fit(_ rows: [RollupRow]) {
        for (i, field) in Self.floatFields.enumerated() { numbers[i].fit(rows.lazy.map(field.1)) }
        for row in rows { table.fit(cells(row)) }
    }

    /// The header line and the rule under it.
    package func headerLines() -> [String] { table.headerLines() }

    /// One line per row (fit them first).
    package func lines(_ rows: [RollupRow]) -> [String] { rows.map { table.line(cells($0)) } }

    /// The cells of `row` (raw; ``TableRenderer`` sanitises them).
    package func cells(_ row: RollupRow) -> [String] {
        var cells = [style.timeZone.tableTime(row.start)]
        if style.showsWindow { cells.append(row.window.name) }
        cells += [row.site, row.device, row.metric, String(row.count)]
        for (i, field) in Self.floatFields.enumerated() { cells.append(numbers[i].format(field.1(row))) }
        return cells
    }

    /// A complete table of `rows`: header, rule, one line per row.
    package static func render(_ rows: [RollupRow], style: Style = Style()) -> [String] {
        var table = RollupTable(style: style)
        table.fit(rows)
        return table.headerLines() + table.lines(rows)
    }
}
