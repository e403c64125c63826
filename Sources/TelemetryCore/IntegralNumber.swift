extension Int64 {
    /// The integer a JSON/CSV number literal stands for when it is integral and fits:
    /// `12`, but also `12.0` or `1.2e1` (a writer that prints every number as a double).
    /// Nil for a fraction, a non-finite value or one beyond ±9e18.
    package init?(integralNumberText literal: String) {
        if let i = Int64(literal) { self = i; return }
        guard let d = Double(literal), d.isFinite, d.rounded() == d, abs(d) < 9.0e18 else { return nil }
        self = Int64(d)
    }
}
