import TelemetryCore
/// Everything that determines a simulated capture. Two runs with equal configurations
/// produce byte-identical output.
///
/// Invariants (checked by `validate()`, which the generator requires to pass):
/// `1 <= devices <= maximumDevices`; `startMs >= minimumStartMs` (every ms `ts`, late ones
/// too, is one telemetryd's `ts_unit=auto` reads as ms) and before year 10000; `0 <= durationMs <= DurationParser.maximumMilliseconds`;
/// `intervalMs >= 1`; `0 <= faultRate <= 1`.
/// Each device publishes `durationMs / intervalMs` scheduled messages (integer division).
/// Threading: a value type; `Sendable`.
package struct FleetConfiguration: Sendable, Hashable {
    /// Number of devices.
    package var devices: Int
    /// Seed of every random choice.
    package var seed: UInt64
    /// Start of the simulated period, epoch milliseconds.
    package var startMs: Int64
    /// Length of the simulated period, milliseconds.
    package var durationMs: Int64
    /// Each device's publish period, milliseconds.
    package var intervalMs: Int64
    /// Probability that a message gets a fault, 0…1.
    package var faultRate: Double

    package static let maximumDevices = 100_000
    /// The earliest start, 1973-03-03T11:46:40Z: air-quality devices write `ts` in epoch ms,
    /// which telemetryd's default `ts_unit=auto` reads as ms from 1e11 (1973-03-03T09:46:40Z)
    /// on, and `late` event times go 2 h before the start.
    package static let minimumStartMs: Int64 = Int64(TimestampUnit.autoMillisecondsFrom) + FaultKind.lateShiftMs
    /// The first instant of year 10000, which RFC 3339 cannot write.
    package static let endOfTimeMs: Int64 = 253_402_300_800_000

    /// Why a configuration is refused; `description` says what is expected.
    package struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
    }

    package init(
        devices: Int = 20, seed: UInt64 = 1, startMs: Int64, durationMs: Int64 = 3_600_000,
        intervalMs: Int64 = 10_000, faultRate: Double = 0
    ) {
        self.devices = devices
        self.seed = seed
        self.startMs = startMs
        self.durationMs = durationMs
        self.intervalMs = intervalMs
        self.faultRate = faultRate
    }

    /// Throws when an invariant does not hold.
    package func validate() throws(Invalid) {
        guard (1...Self.maximumDevices).contains(devices) else {
            throw Invalid(description: "devices must be between 1 and \(Self.maximumDevices), got \(devices)")
        }
        guard intervalMs >= 1 else {
            throw Invalid(description: "interval must be at least 1ms, got \(intervalMs)ms")
        }
        guard (0...DurationParser.maximumMilliseconds).contains(durationMs) else {
            throw Invalid(description: "duration must be between 0s and 100 years, got \(durationMs)ms")
        }
        guard startMs >= Self.minimumStartMs,
              startMs <= Self.endOfTimeMs - durationMs - FaultKind.outOfOrderDelayMicros.upperBound / 1_000 - 1_000
        else {
            throw Invalid(description: "start must be from \(UTCTimestamp.formatSeconds(milliseconds: Self.minimumStartMs)) to before the year 10000 (minus the duration), got \(startMs >= 0 && startMs < Self.endOfTimeMs ? UTCTimestamp.formatSeconds(milliseconds: startMs) : "\(startMs)ms")")
        }
        guard faultRate.isFinite, (0...1).contains(faultRate) else {
            throw Invalid(description: "fault rate must be a number from 0 to 1, got \(faultRate)")
        }
    }

    /// Scheduled messages per device (before faults add duplicates).
    package var messagesPerDevice: Int64 { intervalMs > 0 ? max(0, durationMs) / intervalMs : 0 }

    /// Scheduled messages of the whole fleet; with `faultRate == 0` exactly the number of
    /// messages generated, otherwise that plus the number of `duplicate` faults.
    package var scheduledMessages: Int64 { Int64(devices) * messagesPerDevice }
}
