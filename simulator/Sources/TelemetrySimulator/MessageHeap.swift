/// A binary min-heap of messages ordered by arrival time, ties broken by insertion order;
/// the generator's reorder buffer.
/// Threading: a value type owned by one generator.
struct MessageHeap: Sendable {
    private struct Entry: Sendable {
        var arrival: Int64
        var serial: UInt64
        var message: SimulatedMessage

        func precedes(_ other: Entry) -> Bool {
            arrival != other.arrival ? arrival < other.arrival : serial < other.serial
        }
    }

    private var entries: [Entry] = []
    private var serial: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    /// The earliest arrival time in the heap.
    var minimumArrival: Int64? { entries.first?.arrival }

    mutating func push(_ message: SimulatedMessage) {
        entries.append(Entry(arrival: message.arrivalMicros, serial: serial, message: message))
        serial &+= 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> SimulatedMessage? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        let n = entries.count
        while true {
            let left = 2 * parent + 1
            guard left < n else { break }
            var best = left
            if left + 1 < n, entries[left + 1].precedes(entries[left]) { best = left + 1 }
            guard entries[best].precedes(entries[parent]) else { break }
            entries.swapAt(best, parent)
            parent = best
        }
        return top.message
    }
}
