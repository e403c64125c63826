/// How many faults of each kind a capture contains.
///
/// Counted per emitted message (a `duplicate` is counted once, for the extra copy), so the
/// counts always match what a consumer of the emitted messages can find. `seqsSkipped` is
/// the total of seq numbers skipped by `gap` faults (≥ `self[.gap]`).
/// Threading: a value type; `Sendable`.
package struct FaultCounts: Sendable, Hashable, CustomStringConvertible {
    package private(set) var malformed = 0
    package private(set) var duplicate = 0
    package private(set) var gap = 0
    package private(set) var outOfOrder = 0
    package private(set) var late = 0
    /// Seq numbers skipped by all `gap` faults together.
    package private(set) var seqsSkipped: Int64 = 0

    package init() {}

    /// The number of messages with fault `kind`.
    package subscript(kind: FaultKind) -> Int {
        switch kind {
        case .malformed: malformed
        case .duplicate: duplicate
        case .gap: gap
        case .outOfOrder: outOfOrder
        case .late: late
        }
    }

    /// All faults together.
    package var total: Int { malformed + duplicate + gap + outOfOrder + late }

    /// Counts one emitted message.
    package mutating func count(_ message: SimulatedMessage) {
        guard let kind = message.fault else { return }
        switch kind {
        case .malformed: malformed += 1
        case .duplicate: duplicate += 1
        case .gap: gap += 1
        case .outOfOrder: outOfOrder += 1
        case .late: late += 1
        }
        seqsSkipped += message.seqsSkipped
    }

    /// `malformed=3 duplicate=1 gap=2 out_of_order=0 late=4`.
    package var description: String {
        FaultKind.allCases.map { "\($0.rawValue)=\(self[$0])" }.joined(separator: " ")
    }
}
