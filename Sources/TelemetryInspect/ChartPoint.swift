/// One value of a series at one window start, as plotted by ``ChartRenderer``.
///
/// Threading: an immutable value type.
package struct ChartPoint: Sendable, Hashable {
    /// Window start, epoch ms UTC.
    package let time: Int64
    package let value: Double

    package init(time: Int64, value: Double) {
        self.time = time
        self.value = value
    }
}
