/// When to look at which device next for idle close: a binary min-heap of (time, device),
/// so a fleet of any size costs one comparison per message to know nothing is due.
///
/// Invariants: each device is in the queue at most once (`contains`); entries come out in
/// order of time, then device id (so the order is deterministic).
///
/// Threading: a value type, owned by the aggregator thread.
struct QuietCheckQueue {
    private var heap: [(at: Int64, device: DeviceID)] = []
    private var queued: [Bool] = []

    /// The earliest time an entry is due (`.max` when empty).
    var nextDue: Int64 { heap.first?.at ?? .max }

    var isEmpty: Bool { heap.isEmpty }

    func contains(_ device: DeviceID) -> Bool { Int(device) < queued.count && queued[Int(device)] }

    /// Queues `device` to be looked at `at`, unless it is queued already.
    mutating func schedule(_ device: DeviceID, at: Int64) {
        let d = Int(device)
        if d >= queued.count { queued.append(contentsOf: repeatElement(false, count: Swift.max(d + 1, queued.count * 2) - queued.count)) }
        guard !queued[d] else { return }
        queued[d] = true
        heap.append((at, device))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(at now: Int64) -> DeviceID? {
        guard let top = heap.first, top.at <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, Self.less(heap[l], heap[m]) { m = l }
                if r < heap.count, Self.less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        queued[Int(top.device)] = false
        return top.device
    }

    private static func less(_ a: (at: Int64, device: DeviceID), _ b: (at: Int64, device: DeviceID)) -> Bool {
        a.at != b.at ? a.at < b.at : a.device < b.device
    }
}
