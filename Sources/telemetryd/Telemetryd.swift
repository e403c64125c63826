import ArgumentParser
import Foundation
import Logging
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// `telemetryd`: the ingestion daemon's command line.
@main
struct Telemetryd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetryd",
        abstract: "IoT telemetry ingestion: MQTT readings to event-time window rollups.",
        subcommands: [Run.self, Replay.self, CheckConfig.self],
        defaultSubcommand: Run.self)
}

/// Options shared by every subcommand that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file (environment variables such as DATA_DIR override it).")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (overrides data_dir).")
    var dataDirectory: String?

    @Option(name: .long, help: "File format of rollups: jsonl or csv (overrides files.format).")
    var format: String?

    func load(extra: [String: String] = [:]) async throws -> DaemonConfiguration {
        var overrides = extra
        if let dataDirectory { overrides["data_dir"] = dataDirectory }
        if let format { overrides["files.format"] = format }
        if let config, !FileManager.default.isReadableFile(atPath: config) {
            throw ValidationError("cannot read config file '\(config)'")
        }
        do {
            return try await ConfigurationLoader.load(file: config, overrides: overrides)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

/// The process's log level, shared by every logger so SIGHUP can change it.
let logLevel = LogLevelControl(.info)

func makeLogger(level: String) -> Logger {
    logLevel.level = Logger.Level(rawValue: level) ?? .info
    LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, control: logLevel) }
    return Logger(label: "telemetryd")
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Subscribe to the broker and write rollups until stopped (the default command).",
        discussion: """
            Stops cleanly on SIGTERM or SIGINT: open windows and per-device seq state are \
            checkpointed to <data_dir>/state and restored at the next start. SIGHUP reloads the \
            log level and retention and reopens files. Under systemd (Type=notify) it sends \
            READY=1 once subscribed, STATUS=, WATCHDOG=1 and STOPPING=1.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Broker URL: mqtt://[user[:pass]@]host[:port] or mqtts://… (overrides mqtt.broker).")
    var broker: String?

    @Option(name: .customLong("topic"), help: "Topic filter to subscribe to, optionally followed by a QoS ('vn/# 1'); repeatable (overrides mqtt.topics).")
    var topics: [String] = []

    @Option(name: .customLong("client-id"), help: "MQTT client id (overrides mqtt.client_id; default telemetryd-<hostname>).")
    var clientID: String?

    func run() async throws {
        var extra: [String: String] = [:]
        if let broker { extra["mqtt.broker"] = broker }
        if !topics.isEmpty { extra["mqtt.topics"] = topics.joined(separator: ",") }
        if let clientID { extra["mqtt.client_id"] = clientID }
        let configuration = try await options.load(extra: extra)
        let logger = makeLogger(level: configuration.logLevel)
        let options = self.options, overrides = extra
        let service = LiveIngestService(
            configuration: configuration, logger: logger, logLevel: logLevel,
            reload: { try await options.load(extra: overrides) })
        do {
            try await service.run()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
    }
}

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run capture files through the pipeline as fast as possible, close every window, write the rollups.",
        discussion: """
            A capture is what `mosquitto_sub -F '%U %t %p' -t 'vn/#'` prints: one message per line, \
            `<unix seconds with fraction> <topic> <payload>`. The capture time is the arrival time. \
            Such a raw capture holds only payloads without a newline: a payload that spans lines \
            (Telegraf sends several Influx lines in one message) continues on lines that are not \
            capture lines, and those are dead-lettered as bad_capture_line with a warning. For any \
            payload (newlines, binary, empty) record `mosquitto_sub -F '%U %t %x' -t 'vn/#'` (or \
            `telemetry-sim record --payload-encoding hex`), which writes each payload as hex, and \
            replay it with --payload-encoding hex. \
            Each capture replayed is recorded, by content, in <data_dir>/state/replayed; one already \
            there (under any name) is refused, since its rollups would be appended a second time.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp(
        "How the captures' payloads are written: raw ('%U %t %p') or hex ('%U %t %x', any payload).",
        valueName: "raw|hex"))
    var payloadEncoding: String = "raw"

    @Flag(help: "Replay captures even when their content was already replayed into the data directory.")
    var force = false

    @Argument(help: "Capture files, replayed in the order given.")
    var captures: [String]

    func run() async throws {
        guard !captures.isEmpty else { throw ValidationError("give at least one capture file") }
        guard let encoding = CapturePayloadEncoding(rawValue: payloadEncoding) else {
            throw ValidationError("--payload-encoding: expected raw or hex; got '\(payloadEncoding)'")
        }
        let configuration = try await options.load()
        let logger = makeLogger(level: configuration.logLevel)
        let summary = try await ReplayRun(configuration: configuration, logger: logger)
            .run(captures: captures, force: force, payloadEncoding: encoding)
        print(summary)
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the configuration and print the values in effect.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let c = try await options.load()
        print("configuration OK")
        print("  data_dir: \(c.dataDirectory.root)")
        print("  templates: \(c.templates.map(\.description).joined(separator: "; "))")
        print("  windows: \(c.windows.map(\.name).joined(separator: ", "))")
        print("  lateness: \(c.allowedLatenessMs) ms")
        print("  idle_close: \(c.idleCloseMs.map { "\($0) ms" } ?? "off")")
        print("  ring: \(c.ringCapacity) readings, overflow \(c.overflowPolicy.rawValue)")
        print("  limits: payload \(c.limits.maxPayloadBytes) bytes, future skew \(c.limits.maxFutureSkewMs) ms, \(c.maxSeries) series")
        print("  files: \(c.fileFormat.rawValue), retention \(c.retentionDays == 0 ? "forever" : "\(c.retentionDays) days")")
        print("  status every \(c.statusIntervalMs) ms, log level \(c.logLevel)")
    }
}
