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
        subcommands: [Replay.self, CheckConfig.self])
}

/// Options shared by every subcommand that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file (environment variables such as DATA_DIR override it).")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (overrides data_dir).")
    var dataDirectory: String?

    @Option(name: .long, help: "File format of rollups: jsonl or csv (overrides files.format).")
    var format: String?

    func load() async throws -> DaemonConfiguration {
        var overrides: [String: String] = [:]
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

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run capture files through the pipeline as fast as possible, close every window, write the rollups.",
        discussion: """
            A capture is what `mosquitto_sub -v -F '%U %t %p' -t 'vn/#'` prints: one message per line, \
            `<unix seconds with fraction> <topic> <payload>`. The capture time is the arrival time.
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: "Capture files, replayed in the order given.")
    var captures: [String]

    func run() async throws {
        guard !captures.isEmpty else { throw ValidationError("give at least one capture file") }
        let configuration = try await options.load()
        let logger = makeLogger(level: configuration.logLevel)
        let summary = try ReplayRun(configuration: configuration, logger: logger).run(captures: captures)
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
        print("  ring: \(c.ringCapacity) readings, overflow \(c.overflowPolicy.rawValue)")
        print("  limits: payload \(c.limits.maxPayloadBytes) bytes, future skew \(c.limits.maxFutureSkewMs) ms, \(c.maxSeries) series")
        print("  files: \(c.fileFormat.rawValue), retention \(c.retentionDays == 0 ? "forever" : "\(c.retentionDays) days")")
        print("  status every \(c.statusIntervalMs) ms, log level \(c.logLevel)")
    }
}
