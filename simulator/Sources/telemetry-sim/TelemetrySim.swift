import ArgumentParser
import Foundation
import TelemetryCommandLine
import TelemetrySimulator
import TelemetryCore

/// `telemetry-sim`: a deterministic simulated fleet of Vietnamese sensor sites.
/// Subcommands only parse arguments and call into `TelemetrySimulator`.
@main
struct TelemetrySim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry-sim",
        abstract: "Simulate a fleet of IoT sensors at Vietnamese sites.",
        version: TelemetryVersion.string,
        subcommands: [Record.self, Publish.self, ReplayCapture.self])

    /// argument-parser's `main`, with a did-you-mean for a mistyped subcommand.
    static func main() async { await mainSuggestingSubcommands() }
}

/// `telemetry-sim record`: writes a capture without any broker.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a capture of a simulated fleet, as `mosquitto_sub -F '%U %t %p'` prints it.",
        discussion: """
            Each line is `<unix seconds.micros> <topic> <payload>`, in arrival order. With \
            --payload-encoding hex the payload is written as hex, as `mosquitto_sub -F '%U %t %x'` \
            prints it (replay it with `telemetryd replay --payload-encoding hex`). The \
            output is byte-for-byte the same for the same seed, start, duration, interval, \
            devices and faults. A summary line goes to standard error.
            """)

    @Option(name: .long, help: ArgumentHelp("Capture file to write; '-' for standard output.", valueName: "file"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Number of devices (1–\(FleetConfiguration.maximumDevices)).", valueName: "n"))
    var devices: Int = 20

    @Option(name: .long, help: ArgumentHelp("Seed for every random choice (an unsigned 64-bit integer).", valueName: "seed"))
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp(
        "Start of the simulated period: RFC 3339 such as 2026-11-24T00:00:00Z, or 'now' (floored to the minute).",
        valueName: "time"))
    var start: String = "now"

    @Option(name: .long, help: ArgumentHelp(
        "Length of the simulated period: 500ms, 90s, 10m, 1h, 1d or plain seconds.", valueName: "duration"))
    var duration: String = "1h"

    @Option(name: .long, help: ArgumentHelp("Each device's publish period (same syntax as --duration).", valueName: "duration"))
    var interval: String = "10s"

    @Option(name: .long, help: ArgumentHelp(
        "Fraction of messages that get a fault (malformed, duplicate, gap, out_of_order, late), 0 to 1.",
        valueName: "rate"))
    var faults: Double = 0

    @Option(help: ArgumentHelp(
        "How payloads are written: raw ('%U %t %p') or hex ('%U %t %x', round-trips any payload).",
        valueName: "raw|hex"))
    var payloadEncoding: String = "raw"

    func validate() throws {
        if CapturePayloadEncoding(rawValue: payloadEncoding) == nil {
            throw ValidationError("--payload-encoding: expected raw or hex; got '\(payloadEncoding)'")
        }
        // With --start now, the time it is: the minimum start is not a whole minute, so
        // flooring it to one (as 'now' is) would be refused.
        _ = try fleetConfiguration(nowMs: Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)))
        if out.isEmpty { throw ValidationError("--out needs a file path, or '-' for standard output") }
    }

    func run() throws {
        let nowMs = Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down))
        let configuration = try fleetConfiguration(nowMs: nowMs)
        let encoding = CapturePayloadEncoding(rawValue: payloadEncoding) ?? .raw
        let summary = try CaptureRecorder.record(configuration, to: out, encoding: encoding)
        let destination = out == "-" ? "standard output" : out
        let line = "telemetry-sim: \(destination): \(summary)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// The configuration the options describe; throws a `ValidationError` naming the option
    /// and what it expects.
    private func fleetConfiguration(nowMs: Int64) throws -> FleetConfiguration {
        let startMs: Int64
        if start == "now" {
            startMs = nowMs - nowMs % 60_000
        } else if let parsed = UTCTimestamp.parse(start) {
            startMs = parsed
        } else {
            throw ValidationError(
                "--start: invalid time '\(start)'; expected RFC 3339 such as 2026-11-24T00:00:00Z, or 'now'")
        }
        let durationMs: Int64
        let intervalMs: Int64
        do {
            durationMs = try DurationParser.milliseconds(duration)
        } catch {
            throw ValidationError("--duration: \(error)")
        }
        do {
            intervalMs = try DurationParser.milliseconds(interval)
        } catch {
            throw ValidationError("--interval: \(error)")
        }
        guard intervalMs > 0 else { throw ValidationError("--interval: must be longer than 0, e.g. 10s") }
        guard faults.isFinite, (0...1).contains(faults) else {
            throw ValidationError("--faults: expected a fraction from 0 to 1, e.g. 0.05; got \(faults)")
        }
        guard (1...FleetConfiguration.maximumDevices).contains(devices) else {
            throw ValidationError("--devices: expected 1 to \(FleetConfiguration.maximumDevices); got \(devices)")
        }
        let configuration = FleetConfiguration(
            devices: devices, seed: seed, startMs: startMs, durationMs: durationMs,
            intervalMs: intervalMs, faultRate: faults)
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return configuration
    }
}
