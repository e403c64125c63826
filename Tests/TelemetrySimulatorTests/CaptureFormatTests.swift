import Foundation
import Testing
import TelemetryCore
import TelemetrySimulator

@Test func sameSeedGivesIdenticalBytes() throws {
    let config = configuration(devices: 20, seed: 42, durationMs: 600_000, faultRate: 0.1)
    #expect(try capture(config) == capture(config))
}

@Test func differentSeedGivesDifferentBytes() throws {
    let a = try capture(configuration(seed: 1, durationMs: 600_000))
    let b = try capture(configuration(seed: 2, durationMs: 600_000))
    #expect(a != b)
}

@Test func everyLineParsesAsTimeTopicPayload() throws {
    let bytes = try capture(configuration(durationMs: 1_800_000, faultRate: 0.2))
    let records = parseCapture(bytes)
    #expect(!records.isEmpty)
    #expect(records.allSatisfy { $0 != nil })
    #expect(bytes.last == 0x0A)
    for record in records.compactMap({ $0 }) {
        #expect(!record.topic.contains(" "))
        #expect(!record.payload.isEmpty)
    }
}

@Test func arrivalTimesAreNonDecreasing() throws {
    let records = parseCapture(try capture(configuration(durationMs: 3_600_000, faultRate: 0.2))).compactMap { $0 }
    let times = records.map(\.micros)
    #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
}

@Test func arrivalIsEventTimePlusAtMost300MsWithoutFaults() throws {
    let records = parseCapture(try capture(configuration(durationMs: 600_000))).compactMap { $0 }
    let readings = records.compactMap { r in decodeJSONReading(r).map { (r, $0) } }
    #expect(!readings.isEmpty)
    for (record, reading) in readings {
        #expect(record.arrivalMs >= reading.tsMs)
        #expect(record.arrivalMs - reading.tsMs <= 300)
    }
}

@Test func capturesStartAtTheStartTime() throws {
    let records = parseCapture(try capture(configuration(durationMs: 60_000))).compactMap { $0 }
    let first = try #require(records.first)
    #expect(first.micros >= referenceStartMs * 1_000)
    #expect(records.last!.micros < (referenceStartMs + 60_000 + 300) * 1_000)
}

@Test func formatterWritesSixFractionDigitsAndRawPayload() {
    let message = SimulatedMessage(
        arrivalMicros: 1_795_500_000_000_042, topic: "vn/hanoi/aq-hanoi-001/telemetry",
        payload: [0x7B, 0xFF, 0x7D], deviceIndex: 0, seq: nil, eventTimeMs: 0)
    let expected = Array("1795500000.000042 vn/hanoi/aq-hanoi-001/telemetry ".utf8) + [0x7B, 0xFF, 0x7D, 0x0A]
    #expect(CaptureLineFormatter.line(message) == expected)
}

@Test func fileWriterWritesTheSameBytesAsTheInMemoryCapture() throws {
    let config = configuration(durationMs: 600_000, faultRate: 0.2)
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("telemetry-sim-\(UUID().uuidString).capture").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let summary = try CaptureRecorder.record(config, to: path)
    let written = try #require(FileManager.default.contents(atPath: path))
    let (bytes, memorySummary) = try CaptureRecorder.captureBytes(config)
    #expect(Array(written) == bytes)
    #expect(summary.bytes == Int64(bytes.count))
    #expect(summary.messages == memorySummary.messages)
    #expect(summary.faults == memorySummary.faults)
}

@Test func writerReportsAnUnwritablePath() {
    #expect(throws: CaptureFileWriter.WriteError.self) {
        _ = try CaptureFileWriter(path: "/nonexistent-dir-telemetry-sim/x.capture")
    }
}

@Test func generatorIsLazyForLongCaptures() throws {
    // 100 years at 1 s (63 billion messages) would never fit in memory; the first
    // messages must come at once.
    var generator = try FleetGenerator(configuration: configuration(
        devices: 2_000, durationMs: DurationParser.maximumMilliseconds, intervalMs: 1_000))
    var count = 0
    while count < 1_000, generator.next() != nil { count += 1 }
    #expect(count == 1_000)
}

@Test func aDevicesMessagesArriveInPublishOrderEvenAtShortIntervals() throws {
    // Latency (0–300 ms) exceeds the 50 ms interval, but one device's connection is FIFO.
    let messages = try generate(configuration(devices: 10, durationMs: 30_000, intervalMs: 50)).messages
    var lastSeq: [Int: Int64] = [:]
    for message in messages {
        guard let seq = message.seq else { continue }
        if let previous = lastSeq[message.deviceIndex] { #expect(seq == previous + 1) }
        lastSeq[message.deviceIndex] = seq
    }
    #expect(lastSeq.count == 8)  // 10 devices: 4 aq, 4 pm, 2 wl
}

@Test func formatterWritesAHexPayloadAsMosquittoSubsPercentXDoes() {
    let message = SimulatedMessage(
        arrivalMicros: 1_795_500_000_000_042, topic: "telegraf/web1",
        payload: Array("a=1\nb=2\n".utf8) + [0x00, 0xFF], deviceIndex: 0, seq: nil, eventTimeMs: 0)
    let expected = "1795500000.000042 telegraf/web1 613d310a623d320a00ff\n"
    #expect(CaptureLineFormatter.line(message, encoding: .hex) == Array(expected.utf8))
}

@Test func aHexCaptureHoldsTheRawCapturesMessagesOneALine() throws {
    let config = configuration(durationMs: 1_800_000, faultRate: 0.3)
    let raw = parseCapture(try capture(config)).map { try! #require($0) }
    let hexBytes = try CaptureRecorder.captureBytes(config, encoding: .hex).bytes
    let hex = parseCapture(hexBytes).map { try! #require($0) }
    #expect(hex.count == raw.count)
    for (h, r) in zip(hex, raw) {
        #expect(h.seconds == r.seconds && h.topic == r.topic)
        #expect(decodeHex(h.payload) == r.payload)
    }
}

/// Hex text to bytes, worked out apart from the simulator (nil when it is not hex).
private func decodeHex(_ text: [UInt8]) -> [UInt8]? {
    guard text.count % 2 == 0 else { return nil }
    let s = String(decoding: text, as: UTF8.self)
    var out: [UInt8] = []
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        guard let b = UInt8(s[i..<j], radix: 16) else { return nil }
        out.append(b)
        i = j
    }
    return out
}
