import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

@Suite struct ChartRendererTests {
    let minute: Int64 = 60_000
    let t0 = ms("2026-11-24T06:00:00Z")

    func points(_ values: [Double?]) -> [ChartPoint] {
        values.enumerated().compactMap { i, v in v.map { ChartPoint(time: t0 + Int64(i) * minute, value: $0) } }
    }

    /// The plot rows (between the title and the axis) with the label part removed.
    func plotRows(_ lines: [String], height: Int) -> [[Character]] {
        lines[1...height].map { line in
            let axis = line.firstIndex { $0 == "┤" || $0 == "│" }!
            return Array(line[line.index(after: axis)...])
        }
    }

    @Test func highestValueReachesTheTopRowAndLowestTheBottom() {
        let chart = ChartRenderer(width: 30, height: 5)
        let lines = chart.render(title: "t", points: points([1, 5, 10, 3]), step: minute)
        let rows = plotRows(lines, height: 5)
        let top = rows[0]
        func slot(_ column: Int) -> Int { column * 4 / top.count }
        // Only the columns of the third point (value 10) reach the top row, and they are full.
        let filledTop = top.indices.filter { top[$0] != " " }
        #expect(!filledTop.isEmpty)
        #expect(filledTop.allSatisfy { slot($0) == 2 && top[$0] == "█" })
        #expect(top.indices.filter { slot($0) == 2 }.allSatisfy { top[$0] == "█" })
        // The smallest value shows only in the bottom row, as the smallest block.
        #expect(rows[4][0] == "▁")
        #expect(rows[3][0] == " ")
        #expect(lines[1].contains("10 ┤"))
        #expect(lines[5].contains(" 1 ┤"))
    }

    @Test func widthAndHeightAreRespected() {
        let chart = ChartRenderer(width: 50, height: 8)
        let values = (0..<500).map { Double($0 % 37) }
        let lines = chart.render(title: "t", points: points(values), step: minute)
        let plot = lines[1...8]
        #expect(plot.allSatisfy { TerminalSafeText.displayWidth($0) == 50 })
        #expect(TerminalSafeText.displayWidth(lines[9]) == 50)  // x-axis
        #expect(lines[9].contains("└"))
        #expect(!lines[10].contains("┤"))  // time labels follow the axis: exactly 8 plot rows
        #expect(lines.allSatisfy { TerminalSafeText.displayWidth($0) <= 50 })
    }

    @Test func timeLabelsShowBothEnds() {
        let lines = ChartRenderer(width: 60, height: 3).render(title: "t", points: points([1, 2, 3]), step: minute)
        #expect(lines[5].contains("2026-11-24 06:00"))
        #expect(lines[5].contains("2026-11-24 06:03"))
    }

    @Test func flatSeriesIsDrawnAtHalfHeight() {
        let lines = ChartRenderer(width: 30, height: 4).render(title: "t", points: points([7, 7, 7]), step: minute)
        let rows = plotRows(lines, height: 4)
        #expect(rows[0].allSatisfy { $0 == " " })
        #expect(rows[3].allSatisfy { $0 == "█" })
        #expect(lines.joined().contains("7 ┤"))
    }

    @Test func singlePointDoesNotCrash() {
        let lines = ChartRenderer(width: 30, height: 4).render(title: "t", points: points([42]), step: minute)
        #expect(lines.count >= 6)
        #expect(lines.last?.contains("1 point") == true || lines.joined().contains("1 point"))
    }

    @Test func gapsLeaveBlankColumns() {
        let chart = ChartRenderer(width: 24, height: 3)
        let lines = chart.render(title: "t", points: points([5, nil, 5, 9]), step: minute)
        let bottom = plotRows(lines, height: 3)[2]
        func slot(_ column: Int) -> Int { column * 4 / bottom.count }
        for column in bottom.indices {
            if slot(column) == 1 {
                #expect(bottom[column] == " ", "the missing window is blank")
            } else {
                #expect(bottom[column] != " ", "windows with data show at least ▁")
            }
        }
        #expect(lines.joined(separator: "\n").contains("1 of 4 windows without data"))
    }

    @Test func emptyOrNonFiniteSeriesSaysSo() {
        let chart = ChartRenderer(width: 30, height: 4)
        #expect(chart.render(title: "t", points: [], step: minute) == ["t", "(no values to plot)"])
        #expect(chart.render(title: "t", points: points([.nan]), step: minute).count == 2)
    }

    @Test func titleIsSanitised() {
        let lines = ChartRenderer(width: 30, height: 2).render(title: "pm25 \u{1B}[2J", points: points([1, 2]), step: minute)
        #expect(lines[0] == "pm25 \\u{1B}[2J")
    }

    @Test func manyWindowsPerColumnAreAggregated() {
        let lines = ChartRenderer(width: 40, height: 4).render(
            title: "t", points: points((0..<1000).map(Double.init)), step: minute, aggregation: .max)
        #expect(lines.joined(separator: "\n").contains("windows (max)"))
    }
}
