/// One value of a series at one window start, as plotted by ``ChartRenderer``.
///
/// Threading: an immutable value type.
public struct ChartPoint: Sendable, Hashable {
    /// Window start, epoch ms UTC.
    public let time: Int64
    public let value: Double

    public init(time: Int64, value: Double) {
        self.time = time
        self.value = value
    }
}
