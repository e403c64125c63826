/// Generates a fleet's messages lazily, in arrival order — what a subscriber to all the
/// fleet's topics would receive.
///
/// Devices publish in schedule order (`start + phase + k × interval`); each publish goes
/// through its `DeviceSimulator` (signals, latency, faults) into a small reorder buffer,
/// and a message leaves the buffer only once no later publish can arrive before it. The
/// buffer holds roughly the messages of the last few seconds (latency ≤ 0.3 s,
/// out-of-order delay ≤ 4 s, duplicate delay ≤ 2 s), so memory does not grow with the
/// duration.
///
/// Invariants: `next()` returns messages with non-decreasing `arrivalMicros`; the whole
/// sequence is a function of the `FleetConfiguration` alone; after the last message,
/// `faultCounts` counts every fault emitted and `messagesEmitted` equals
/// `configuration.scheduledMessages + faultCounts.duplicate`.
/// Threading: a value type with its own state; use one copy from one task at a time.
/// Iterating a copy (`for message in generator`) leaves the original's counts at zero —
/// call `next()` on a `var` to read the counts afterwards.
package struct FleetGenerator: Sequence, IteratorProtocol, Sendable {
    package let fleet: Fleet
    /// Faults among the messages returned so far.
    package private(set) var faultCounts = FaultCounts()
    /// Messages returned so far.
    package private(set) var messagesEmitted = 0

    private var simulators: [DeviceSimulator]
    /// Device indices in publish order within one interval: by phase, then index.
    private let order: [Int]
    private let startMs: Int64
    private let intervalMs: Int64
    private let ticks: Int64
    private var tick: Int64 = 0
    private var position = 0
    private var pending = MessageHeap()
    private var batch: [SimulatedMessage] = []

    /// A generator for `configuration`, which must pass `validate()`.
    package init(configuration: FleetConfiguration) throws(FleetConfiguration.Invalid) {
        try configuration.validate()
        let fleet = Fleet(configuration: configuration)
        self.fleet = fleet
        simulators = fleet.devices.map { DeviceSimulator(device: $0, configuration: configuration) }
        order = fleet.devices.sorted { ($0.phaseMs, $0.index) < ($1.phaseMs, $1.index) }.map(\.index)
        startMs = configuration.startMs
        intervalMs = configuration.intervalMs
        ticks = configuration.messagesPerDevice
        batch.reserveCapacity(2)
    }

    /// The configuration generated.
    package var configuration: FleetConfiguration { fleet.configuration }

    /// The next message in arrival order, or `nil` at the end.
    package mutating func next() -> SimulatedMessage? {
        while true {
            let scheduled: Int64? = tick < ticks
                ? startMs + fleet.devices[order[position]].phaseMs + tick * intervalMs
                : nil
            if let earliest = pending.minimumArrival,
               scheduled.map({ earliest <= $0 * 1_000 }) ?? true,
               let message = pending.pop() {
                faultCounts.count(message)
                messagesEmitted += 1
                return message
            }
            guard let eventMs = scheduled else { return nil }
            let device = order[position]
            batch.removeAll(keepingCapacity: true)
            simulators[device].publish(atMs: eventMs, into: &batch)
            for message in batch { pending.push(message) }
            position += 1
            if position == order.count {
                position = 0
                tick += 1
            }
        }
    }
}
