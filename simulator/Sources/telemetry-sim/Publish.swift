import ArgumentParser
import Foundation
import TelemetryCore
import TelemetryMQTT
import TelemetrySimulator

/// Options shared by the commands that publish to a broker.
struct BrokerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Broker URL: mqtt://[user[:pass]@]host[:port] or mqtts://…", valueName: "url"))
    var broker: String

    @Option(help: ArgumentHelp("QoS of every publish: 0 or 1.", valueName: "qos"))
    var qos: UInt8 = 1

    func validate() throws {
        guard qos <= 1 else { throw ValidationError("--qos: expected 0 or 1; got \(qos)") }
        do { _ = try BrokerURL(parsing: broker) } catch { throw ValidationError("--broker: \(error)") }
    }

    /// Connects a publishing client (clean session, random client id).
    func connect() async throws -> MQTTClient {
        let url = try BrokerURL(parsing: broker)
        var configuration = MQTTClientConfiguration(brokerURL: url, clientID: "telemetry-sim-\(getpid())")
        configuration.startup = .failAfter(attempts: 3)
        let client = try MQTTClient(configuration: configuration) { _ in }
        try await client.connect()
        return client
    }
}

/// Paces publishing to wall-clock times and reports what was achieved.
struct PublishRun {
    let client: MQTTClient
    let qos: MQTTQoS
    var published = 0
    var bytes = 0
    let started = ContinuousClock.now

    /// Publishes one message once `offset` (since the start) has come.
    mutating func publish(topic: String, payload: [UInt8], at offset: Duration?) async throws {
        if let offset {
            let due = started + offset
            if due > ContinuousClock.now { try await Task.sleep(until: due) }
        }
        while true {
            do {
                try client.publish(topic: topic, payload: payload, qos: qos)
                break
            } catch {
                // libmosquitto's queue is full at very high rates: let it drain a little.
                if qos == .atMostOnce { throw error }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        published += 1
        bytes += payload.count
    }

    func finish(_ what: String) async throws {
        if qos != .atMostOnce { try await client.waitForPublished(timeout: .seconds(60)) }
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        await client.stop()
        let rate = seconds > 0 ? Double(published) / seconds : 0
        let line = String(format: "telemetry-sim: published %d messages (%d bytes) %@ in %.2f s: %.0f messages/s\n",
                          published, bytes, what, seconds, rate)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// `telemetry-sim publish`: the simulated fleet, live, to a broker.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the simulated fleet to a broker at a given rate.",
        discussion: """
            The fleet is the one `record` writes (same kinds, sites, seed and faults), with \
            per-device seq. Each device publishes every devices/rate seconds, so the simulated \
            clock follows the wall clock and event times are 'now'.
            """)

    @OptionGroup var brokerOptions: BrokerOptions

    @Option(help: ArgumentHelp("Number of devices.", valueName: "n"))
    var devices: Int = 20

    @Option(help: ArgumentHelp("Messages per second, across the fleet.", valueName: "rate"))
    var rate: Double = 100

    @Option(help: ArgumentHelp("How long to publish (500ms, 10s, 5m, …); default 10s unless --count.", valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Stop after this many messages.", valueName: "n"))
    var count: Int?

    @Option(help: ArgumentHelp("Seed for every random choice.", valueName: "seed"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Fraction of messages with a fault, 0 to 1.", valueName: "rate"))
    var faults: Double = 0

    func validate() throws {
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate: expected messages per second above 0") }
        guard (1...FleetConfiguration.maximumDevices).contains(devices) else {
            throw ValidationError("--devices: expected 1 to \(FleetConfiguration.maximumDevices)")
        }
        if let count, count < 1 { throw ValidationError("--count: expected at least 1") }
        if let duration {
            do { _ = try DurationParser.milliseconds(duration) } catch { throw ValidationError("--duration: \(error)") }
        }
        guard (0...1).contains(faults) else { throw ValidationError("--faults: expected a fraction from 0 to 1") }
    }

    func run() async throws {
        let intervalMs = max(1, Int64((Double(devices) * 1_000 / rate).rounded()))
        let nowMs = Int64(Date().timeIntervalSince1970 * 1_000)
        let durationText = duration ?? "10s"
        let wanted = try count ?? Int(rate * Double(DurationParser.milliseconds(durationText)) / 1_000)
        // Enough simulated time for `wanted` messages (duplicates add some, gaps remove some).
        let durationMs = (Int64(wanted) / Int64(devices) + 2) * intervalMs * 2
        let fleet = FleetConfiguration(devices: devices, seed: seed, startMs: nowMs, durationMs: durationMs,
                                       intervalMs: intervalMs, faultRate: faults)
        var generator = try FleetGenerator(configuration: fleet)
        var run = PublishRun(client: try await brokerOptions.connect(), qos: MQTTQoS(rawValue: brokerOptions.qos)!)
        while run.published < wanted, let message = generator.next() {
            try await run.publish(topic: message.topic, payload: message.payload,
                                  at: .milliseconds(message.arrivalMs - nowMs))
        }
        try await run.finish("from \(devices) devices (faults: \(generator.faultCounts))")
    }
}

/// `telemetry-sim replay`: a capture file, live, to a broker.
struct ReplayCapture: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Publish a capture file (mosquitto_sub -F '%U %t %p' format, or '%U %t %x' with --payload-encoding hex) with its original timing scaled.")

    @OptionGroup var brokerOptions: BrokerOptions

    @Argument(help: "The capture file.")
    var capture: String

    @Option(help: ArgumentHelp("Time scale: 2 plays twice as fast as recorded.", valueName: "x"))
    var speed: Double = 1

    @Flag(name: .customLong("as-fast-as-possible"), help: "Ignore the recorded timing.")
    var asFastAsPossible = false

    @Option(help: ArgumentHelp(
        "How the capture's payloads are written: raw ('%U %t %p') or hex ('%U %t %x').", valueName: "raw|hex"))
    var payloadEncoding: String = "raw"

    func validate() throws {
        if CapturePayloadEncoding(rawValue: payloadEncoding) == nil {
            throw ValidationError("--payload-encoding: expected raw or hex; got '\(payloadEncoding)'")
        }
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed: expected a factor above 0, e.g. 10") }
    }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: capture) else {
            throw ValidationError("cannot read capture '\(capture)'")
        }
        let encoding = CapturePayloadEncoding(rawValue: payloadEncoding) ?? .raw
        var run = PublishRun(client: try await brokerOptions.connect(), qos: MQTTQoS(rawValue: brokerOptions.qos)!)
        var firstMicros: Int64?
        var skipped = 0
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, let seconds = Double(String(decoding: parts[0], as: UTF8.self)) else {
                skipped += 1
                continue
            }
            var payload = parts.count == 3 ? Array(parts[2]) : []
            if encoding == .hex {
                var decoded = [UInt8](repeating: 0, count: payload.count / 2)
                let n = payload.withUnsafeBytes { text in
                    decoded.withUnsafeMutableBytes { CapturePayloadEncoding.decodeHex(text, into: $0) }
                }
                guard let n else {
                    skipped += 1
                    continue
                }
                payload = Array(decoded[0..<n])
            }
            let micros = Int64(seconds * 1_000_000)
            let first = firstMicros ?? micros
            firstMicros = first
            let offset: Duration? = asFastAsPossible ? nil : .microseconds(Int64(Double(micros - first) / speed))
            try await run.publish(topic: String(decoding: parts[1], as: UTF8.self),
                                  payload: payload, at: offset)
        }
        try await run.finish("from \(capture)" + (skipped > 0 ? " (\(skipped) lines not in capture format skipped)" : ""))
    }
}
