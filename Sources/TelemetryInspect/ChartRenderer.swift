import TelemetryCore

/// Draws one series over time as a bar chart of Unicode block characters (`▁▂▃▄▅▆▇█`) for a
/// terminal.
///
/// Layout (returned as lines, nothing printed): the title; `height` rows of plot, with the
/// y-axis labelled with the top (maximum) and bottom (minimum) values and, when there is room,
/// the middle; the x-axis; the times of the left and right edges; a footer with the number of
/// points, the minimum/maximum/last value and when they occurred, and the number of windows
/// without data.
///
/// Time runs left to right over `[from, to)` (default: first point to the end of the last
/// window), split into window-sized slots. With fewer slots than plot columns each slot is
/// stretched over several columns; with more, each column aggregates several slots (mean, or
/// min/max when plotting those fields). A column whose slots have no data stays blank — a gap —
/// whereas the smallest value still shows as `▁`, so gaps and low values are distinguishable.
/// The vertical scale runs from the smallest to the largest value in range, so the largest
/// value reaches the top row (when columns average several windows, the peak column may stay
/// a little lower). A flat series (all values equal) is drawn at half height; a single point is
/// a flat series.
///
/// Invariants: every line of the axis and plot area is exactly `width` terminal cells wide
/// (labels + axis + plot columns; the footer wraps to `width`), and there are exactly `height`
/// plot rows; `width`/`height` below 1 are raised to 1. Non-finite values are ignored.
///
/// Threading: an immutable value type; safe from any thread.
package struct ChartRenderer: Sendable {
    /// How several windows falling into one column are combined.
    package enum Aggregation: Sendable {
        case mean, min, max
    }

    /// Total width of the chart lines in terminal cells, y-axis labels included.
    package let width: Int
    /// Rows of the plot area.
    package let height: Int

    /// The block characters for 0…8 eighths of a cell.
    package static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    package init(width: Int, height: Int) {
        self.width = Swift.max(1, width)
        self.height = Swift.max(1, height)
    }

    /// The chart lines for `points` (any order) of a series with windows of `step` ms.
    package func render(
        title: String, points: [ChartPoint], step: Int64, from: Int64? = nil, to: Int64? = nil,
        aggregation: Aggregation = .mean
    ) -> [String] {
        let step = Swift.max(1, step)
        let sorted = points.filter { $0.value.isFinite }.sorted { $0.time < $1.time }
        let safeTitle = TerminalSafeText.sanitize(title)
        guard let firstPoint = sorted.first, let lastPoint = sorted.last else {
            return [safeTitle, "(no values to plot)"]
        }
        let t0 = from ?? firstPoint.time
        var t1 = to ?? (lastPoint.time + step)
        if t1 <= t0 { t1 = t0 + step }
        let inRange = sorted.filter { $0.time >= t0 && $0.time < t1 }
        guard !inRange.isEmpty else { return [safeTitle, "(no values in the time range)"] }
        let slotCount = Swift.max(1, (t1 - t0 + step - 1) / step)
        let slots = inRange.map { ($0.time - t0) / step }

        // Vertical scale from the values in range; a flat series gets a band around its value.
        var lo = inRange.map(\.value).min() ?? 0
        var hi = inRange.map(\.value).max() ?? 0
        let flat = hi - lo <= abs(hi) * 1e-12
        if flat {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let levels = height * 8
        func eighths(_ v: Double) -> Int {
            let fraction = Swift.min(1, Swift.max(0, (v - lo) / (hi - lo)))
            return 1 + Int((fraction * Double(levels - 1)).rounded())
        }

        // Y-axis labels: top, bottom and (with room) middle row.
        var labels = [String](repeating: "", count: height)
        if flat {
            // One label, on the row where the bars end: the value itself.
            labels[height - 1 - (eighths(inRange[0].value) - 1) / 8] = CompactNumber.format(inRange[0].value)
        } else {
            labels[0] = CompactNumber.format(hi)
            if height > 1 { labels[height - 1] = CompactNumber.format(lo) }
        }
        if height >= 5, !flat {
            let r = height / 2
            let center = Double((height - 1 - r) * 8 + 4)
            labels[r] = CompactNumber.format(lo + (center - 1) / Double(levels - 1) * (hi - lo))
        }
        let labelWidth = labels.map(TerminalSafeText.displayWidth).max() ?? 0
        let plotWidth = Swift.max(1, width - labelWidth - 2)

        // Aggregate the slots falling into each column.
        let w = Int64(plotWidth)
        var heights: [Int?] = []
        heights.reserveCapacity(plotWidth)
        for c in 0..<w {
            let a = c * slotCount / w
            let b = Swift.max(a + 1, (c + 1) * slotCount / w)
            var lowIndex = 0, highIndex = slots.count
            while lowIndex < highIndex {  // first point with slot >= a
                let mid = (lowIndex + highIndex) / 2
                if slots[mid] < a { lowIndex = mid + 1 } else { highIndex = mid }
            }
            var values: [Double] = []
            var i = lowIndex
            while i < slots.count, slots[i] < b { values.append(inRange[i].value); i += 1 }
            guard !values.isEmpty else { heights.append(nil); continue }
            let v: Double
            switch aggregation {
            case .mean: v = values.reduce(0, +) / Double(values.count)
            case .min: v = values.min() ?? 0
            case .max: v = values.max() ?? 0
            }
            heights.append(eighths(v))
        }

        var lines = [safeTitle]
        for r in 0..<height {
            let base = (height - 1 - r) * 8
            var row = TerminalSafeText.pad(labels[r], to: labelWidth, alignRight: true)
            row += labels[r].isEmpty ? " │" : " ┤"
            for h in heights {
                let fill = h.map { Swift.min(8, Swift.max(0, $0 - base)) } ?? 0
                row.append(ChartRenderer.blocks[fill])
            }
            lines.append(row)
        }
        let indent = String(repeating: " ", count: labelWidth + 1)
        lines.append(indent + "└" + String(repeating: "─", count: plotWidth))

        // Time labels at both ends.
        let left = timeLabel(t0, step: step)
        let right = timeLabel(t1, step: step)
        let gap = plotWidth + 1 - left.count - right.count
        if gap >= 1 {
            lines.append(indent + left + String(repeating: " ", count: gap) + right)
        } else {
            lines.append(indent + left)
            lines.append(indent + String(repeating: " ", count: Swift.max(0, plotWidth + 1 - right.count)) + right)
        }

        // Footer.
        let minPoint = inRange.min { $0.value < $1.value } ?? firstPoint
        let maxPoint = inRange.max { $0.value < $1.value } ?? firstPoint
        let lastInRange = inRange.last ?? lastPoint
        var footer = ["\(inRange.count) point\(inRange.count == 1 ? "" : "s")"]
        footer.append("min \(CompactNumber.format(minPoint.value)) at \(timeLabel(minPoint.time, step: step))")
        footer.append("max \(CompactNumber.format(maxPoint.value)) at \(timeLabel(maxPoint.time, step: step))")
        footer.append("last \(CompactNumber.format(lastInRange.value))")
        let distinctSlots = Set(slots).count
        let missing = Int(slotCount) - distinctSlots
        if missing > 0 { footer.append("\(missing) of \(slotCount) windows without data (blank)") }
        if slotCount > w {
            let name: String
            switch aggregation {
            case .mean: name = "mean"
            case .min: name = "min"
            case .max: name = "max"
            }
            footer.append("1 column ≈ \(CompactNumber.format(Double(slotCount) / Double(w))) windows (\(name))")
        }
        var line = ""
        for part in footer {
            if line.isEmpty {
                line = part
            } else if TerminalSafeText.displayWidth(line + " · " + part) <= width {
                line += " · " + part
            } else {
                lines.append(line)
                line = part
            }
        }
        lines.append(line)
        return lines
    }

    /// `2026-11-24 06:00` (with seconds when windows are shorter than a minute).
    func timeLabel(_ ms: Int64, step: Int64) -> String {
        let full = RollupRowFormatter.tableTime(ms)
        if step >= 60_000, full.count >= 16 { return String(full.prefix(16)) }
        return full
    }
}
