package import TelemetryCore

/// A device's health with sensible defaults (a healthy device last heard at `lastArrival`),
/// for building `devices.jsonl` fixtures and expectations.
package func makeDevice(
    site: String = "hanoi", device: String = "aq-hanoi-001", lastArrival: String = "2026-11-24T06:00:00.000Z",
    offsetMs: Double = 120, messages: Int = 100, duplicates: Int = 0, gaps: Int = 0, restarts: Int = 0,
    tooLate: Int = 0, late: [String: Int] = ["10s": 0, "1m": 0, "1h": 0], deadLetters: Int = 0
) -> DeviceHealth {
    let arrival = UTCTimestamp.parse(lastArrival)!
    return DeviceHealth(
        site: site, device: device, lastArrivalMs: arrival, lastEventMs: arrival + Int64(offsetMs),
        watermarkMs: arrival + Int64(offsetMs), clockOffsetMs: offsetMs, messages: messages, readings: messages * 3,
        duplicates: duplicates, gaps: gaps, restarts: restarts, tooLate: tooLate, lateByWindow: late,
        deadLetters: deadLetters, openWindows: 3)
}
