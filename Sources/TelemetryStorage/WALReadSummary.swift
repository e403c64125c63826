/// What one `WriteAheadLog.read` found.
///
/// `records` counts the records handed to the callback (those with LSN ≥ `from`); they are
/// consecutive and end at `lastLSN`, so when `records > 0` the first was
/// `lastLSN - records + 1` (compare it with `from` to see a gap at the start). `lastLSN` is the
/// LSN of the last valid record reached, handed over or not (nil when none was), so the next
/// writer opens with `nextLSN = max(lastLSN ?? 0, from - 1) + 1`.
///
/// `stoppedAtDamage` tells that reading ended at a torn record (crash mid-append), a CRC
/// failure or a break in LSN continuity rather than at the clean end of the log; records
/// after that point, if any, are not read.
///
/// Threading: a value type.
package struct WALReadSummary: Equatable, Sendable {
    package var records: Int
    package var lastLSN: UInt64?
    package var stoppedAtDamage: Bool

    package init(records: Int, lastLSN: UInt64?, stoppedAtDamage: Bool) {
        self.records = records
        self.lastLSN = lastLSN
        self.stoppedAtDamage = stoppedAtDamage
    }
}
