/// One percentile column of a rollup file: a percent `0 < p < 100` and its column name,
/// `p` then the percent with `_` for its decimal point (`50` → `p50`, `99.9` → `p99_9`).
///
/// The list comes from the configuration (`percentiles`, default ``defaults``); the values
/// are lower quantiles of the window's ``QuantileSketch`` (1% relative error), clamped to
/// the window's min and max.
///
/// Invariants: `0 < percent < 100`; `name` is the column name of `percent` (``init(name:)``
/// reads it back).
/// Threading: a value type.
public struct Percentile: Sendable, Hashable {
    public let percent: Double
    public let name: String

    /// `p50`, `p90`, `p95`, `p99`.
    public static let defaults: [Percentile] = [50, 90, 95, 99].map { Percentile(percent: $0)! }

    /// Nil unless `0 < percent < 100`.
    public init?(percent: Double) {
        guard percent > 0, percent < 100 else { return nil }
        self.percent = percent
        let digits = percent == percent.rounded() ? String(Int(percent)) : percent.description
        if digits.contains("e") { return nil }  // too many decimals to name
        self.name = "p" + String(digits.map { $0 == "." ? "_" : $0 })
    }

    /// The percentile a column name names (`p99_9`); nil for any other name.
    public init?(name: String) {
        guard name.hasPrefix("p"), name.count > 1 else { return nil }
        let rest = name.dropFirst()
        guard rest.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "_") }), rest.first != "_",
              rest.filter({ $0 == "_" }).count <= 1,
              let p = Double(String(rest.map { $0 == "_" ? "." : $0 })),
              let column = Percentile(percent: p), column.name == name
        else { return nil }
        self = column
    }

    /// The quantile `percent / 100`.
    public var quantile: Double { percent / 100 }

    /// This percentile of a window: the sketch's lower quantile clamped to `min...max`; nil
    /// when the sketch is empty.
    public func value(of sketch: QuantileSketch, min: Double, max: Double) -> Double? {
        guard let v = sketch.quantile(quantile) else { return nil }
        return Swift.min(Swift.max(v, min), max)
    }
}
