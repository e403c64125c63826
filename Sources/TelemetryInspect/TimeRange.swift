/// A half-open range of window starts, `[from, to)`, in epoch milliseconds UTC; either end may
/// be open.
///
/// Used for `--from`/`--to`: a rollup is selected when its *window start* lies in the range.
///
/// Invariants: when both ends are set, `from < to` (the initialiser rejects anything else).
///
/// Threading: an immutable value type; safe to share.
package struct TimeRange: Sendable, Hashable {
    /// Inclusive lower bound, or `nil` for no lower bound.
    package let from: Int64?
    /// Exclusive upper bound, or `nil` for no upper bound.
    package let to: Int64?

    /// The range with no bounds.
    package static let unbounded = TimeRange(uncheckedFrom: nil, to: nil)

    /// A range; throws ``InspectError/emptyTimeRange(from:to:)`` when `from >= to`.
    package init(from: Int64?, to: Int64?) throws(InspectError) {
        if let from, let to, from >= to { throw .emptyTimeRange(from: from, to: to) }
        self.from = from
        self.to = to
    }

    private init(uncheckedFrom from: Int64?, to: Int64?) {
        self.from = from
        self.to = to
    }

    /// Whether a window starting at `start` is selected.
    package func contains(_ start: Int64) -> Bool {
        if let from, start < from { return false }
        if let to, start >= to { return false }
        return true
    }
}
