/// The kinds of fault the simulator injects with `FleetConfiguration.faultRate`.
///
/// Raw values are the names used in the summary line (`out_of_order`, …).
/// - `malformed`: the message cannot be decoded (see `Malformation`). The device's `seq`
///   counter does not advance for it, so consumers see no seq gap because of it.
/// - `duplicate`: a message is delivered twice; the copy (the message carrying this fault)
///   has the same topic and payload and arrives 0–2 s after the original.
/// - `gap`: 1–5 seq numbers were lost before reaching the broker; the faulted message's
///   `seq` is that much higher than it would have been (`SimulatedMessage.seqsSkipped`).
///   A device's first message never gets a gap (no consumer could see it), so a consumer
///   tracking seqs counts exactly `FaultCounts.seqsSkipped` missing numbers.
/// - `outOfOrder`: the message's arrival is delayed by 1–4 s, so messages with later event
///   times arrive before it; its event time is unchanged (for `json` devices), which keeps
///   it within a 5 s lateness allowance of its device's watermark.
/// - `late`: the message's event time `ts` is 2 h before its real time, so consumers whose
///   windows have closed reject it as too late.
///
/// Which kinds a device can get depends on its kind: see `DeviceKind.possibleFaults`.
/// Threading: an immutable value; `Sendable`.
package enum FaultKind: String, CaseIterable, Sendable, Hashable, Comparable {
    case malformed
    case duplicate
    case gap
    case outOfOrder = "out_of_order"
    case late

    /// How far back a `late` message's event time is put, in milliseconds (2 h).
    package static let lateShiftMs: Int64 = 7_200_000
    /// The extra arrival delay of an `outOfOrder` message, in microseconds (1–4 s).
    package static let outOfOrderDelayMicros: ClosedRange<Int64> = 1_000_000...4_000_000
    /// How long after the original a `duplicate` copy arrives, in microseconds (0–2 s).
    package static let duplicateDelayMicros: ClosedRange<Int64> = 0...2_000_000
    /// How many seq numbers a `gap` skips.
    package static let gapSizes: ClosedRange<Int64> = 1...5

    package static func < (a: FaultKind, b: FaultKind) -> Bool {
        a.ordinal < b.ordinal
    }

    var ordinal: Int {
        switch self {
        case .malformed: 0
        case .duplicate: 1
        case .gap: 2
        case .outOfOrder: 3
        case .late: 4
        }
    }
}
