import Foundation
import TelemetrySimulator

/// Test helpers that read a capture back the way an independent consumer would: by parsing
/// the bytes, not by asking the simulator.

/// 2026-11-24T00:00:00Z, a Tuesday.
let referenceStartMs: Int64 = 1_795_478_400_000

func configuration(
    devices: Int = 20, seed: UInt64 = 1, durationMs: Int64 = 3_600_000, intervalMs: Int64 = 10_000,
    faultRate: Double = 0, startMs: Int64 = referenceStartMs
) -> FleetConfiguration {
    FleetConfiguration(
        devices: devices, seed: seed, startMs: startMs, durationMs: durationMs,
        intervalMs: intervalMs, faultRate: faultRate)
}

func capture(_ configuration: FleetConfiguration) throws -> [UInt8] {
    try CaptureRecorder.captureBytes(configuration).bytes
}

/// One capture line split into its parts.
struct CaptureRecord {
    var seconds: String
    var micros: Int64
    var topic: String
    var payload: [UInt8]

    var arrivalMs: Int64 { micros / 1_000 }
    var topicSegments: [Substring] { topic.split(separator: "/", omittingEmptySubsequences: false) }
}

/// Splits a capture into lines and parses each as `<seconds.micros> <topic> <payload>`;
/// `nil` entries are lines that do not have that shape.
func parseCapture(_ bytes: [UInt8]) -> [CaptureRecord?] {
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines.map { line -> CaptureRecord? in
        guard let firstSpace = line.firstIndex(of: 0x20) else { return nil }
        let time = line[line.startIndex..<firstSpace]
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: 0x20) else { return nil }
        let topic = rest[rest.startIndex..<secondSpace]
        let payload = rest[(secondSpace + 1)...]
        let timeText = String(decoding: time, as: UTF8.self)
        let pieces = timeText.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces[1].count == 6,
              pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let whole = Int64(pieces[0]), let fraction = Int64(pieces[1]), !topic.isEmpty
        else { return nil }
        return CaptureRecord(
            seconds: timeText, micros: whole * 1_000_000 + fraction,
            topic: String(decoding: topic, as: UTF8.self), payload: Array(payload))
    }
}

/// A decodable JSON telemetry message, as a consumer with the templates
/// `vn/{site}/{device}/telemetry json` would see it.
struct JSONReading {
    var site: String
    var device: String
    var seq: Int64
    var tsMs: Int64
    var metrics: [String: Double]
}

func decodeJSONReading(_ record: CaptureRecord) -> JSONReading? {
    let segments = record.topicSegments
    guard segments.count == 4, segments[0] == "vn", segments[3] == "telemetry" else { return nil }
    guard String(validating: record.payload, as: UTF8.self) != nil else { return nil }
    guard let object = try? JSONSerialization.jsonObject(with: Data(record.payload)) as? [String: Any]
    else { return nil }
    var metrics: [String: Double] = [:]
    var seq: Int64?
    var ts: Int64?
    func flatten(_ dict: [String: Any], prefix: String) -> Bool {
        for (key, value) in dict {
            if prefix.isEmpty, key == "seq" {
                guard let n = value as? Int else { return false }
                seq = Int64(n)
            } else if prefix.isEmpty, key == "ts" {
                if let text = value as? String {
                    guard let ms = parseISO8601(text) else { return false }
                    ts = ms
                } else if let n = value as? Int {
                    ts = Int64(n)
                } else {
                    return false
                }
            } else if let nested = value as? [String: Any] {
                guard flatten(nested, prefix: prefix + key + ".") else { return false }
            } else if let number = value as? Double {
                guard number.isFinite else { return false }
                metrics[prefix + key] = number
            } else {
                return false
            }
        }
        return true
    }
    guard flatten(object, prefix: ""), let seq, let ts, !metrics.isEmpty else { return nil }
    return JSONReading(site: String(segments[1]), device: String(segments[2]), seq: seq, tsMs: ts, metrics: metrics)
}

/// A decodable water-level message (`vn/{site}/{device}/water_level`, payload a finite number).
func decodeWaterLevel(_ record: CaptureRecord) -> (device: String, level: Double)? {
    let segments = record.topicSegments
    guard segments.count == 4, segments[0] == "vn", segments[3] == "water_level",
          let text = String(validating: record.payload, as: UTF8.self),
          let value = Double(text), value.isFinite else { return nil }
    return (String(segments[2]), value)
}

/// Epoch ms of RFC 3339 text with fractional seconds, using Foundation (independent of the
/// simulator's own formatter).
func parseISO8601(_ text: String) -> Int64? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    guard let date = formatter.date(from: text) else { return nil }
    return Int64((date.timeIntervalSince1970 * 1_000).rounded())
}

/// All messages of a configuration, through the library API, with the final fault counts.
func generate(_ configuration: FleetConfiguration) throws -> (messages: [SimulatedMessage], generator: FleetGenerator) {
    var generator = try FleetGenerator(configuration: configuration)
    var messages: [SimulatedMessage] = []
    while let message = generator.next() { messages.append(message) }
    return (messages, generator)
}

/// Local (UTC+7) hour of day of epoch ms.
func localHour(_ ms: Int64) -> Int {
    Int(((ms + 7 * 3_600_000) % 86_400_000) / 3_600_000)
}
