import ArgumentParser
import Foundation
import Logging
import TelemetryCommandLine
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// `telemetryd`: the ingestion daemon's command line.
@main
struct Telemetryd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetryd",
        abstract: "IoT telemetry ingestion: MQTT readings to event-time window rollups.",
        version: TelemetryVersion.string,
        subcommands: [Run.self, Replay.self, CheckConfig.self, TestMessage.self],
        defaultSubcommand: Run.self)

    /// argument-parser's `main`, with a did-you-mean for a mistyped subcommand.
    static func main() async { await mainSuggestingSubcommands() }
}

/// Options shared by every subcommand that reads the configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "YAML configuration file (environment variables such as TELEMETRYD_DATA_DIR override it).")
    var config: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (overrides data_dir).")
    var dataDirectory: String?

    @Option(name: .long, help: "File format of rollups: jsonl or csv (overrides files.format).")
    var format: String?

    func load(extra: [String: String] = [:]) async throws -> DaemonConfiguration {
        try await loadRecordingSources(extra: extra).configuration
    }

    /// Loads the configuration; a bad one is printed (without the usage text, which is not
    /// what is wrong) and exits `EX_CONFIG`.
    func loadRecordingSources(
        extra: [String: String] = [:]
    ) async throws -> (configuration: DaemonConfiguration, sources: ConfigurationSourceRecorder) {
        do {
            return try await loadOrThrow(extra: extra)
        } catch let error as ConfigurationError {
            throw configurationFailure(error.description)
        }
    }

    /// Loads the configuration; a bad one throws its `ConfigurationError` (SIGHUP logs it).
    func loadOrThrow(
        extra: [String: String] = [:]
    ) async throws -> (configuration: DaemonConfiguration, sources: ConfigurationSourceRecorder) {
        var overrides = extra
        if let dataDirectory { overrides["data_dir"] = dataDirectory }
        if let format { overrides["files.format"] = format }
        if let config, !FileManager.default.isReadableFile(atPath: config) {
            throw ConfigurationError.unreadableFile(config)
        }
        return try await ConfigurationLoader.loadRecordingSources(file: config, overrides: overrides)
    }
}

/// `EX_CONFIG` from sysexits.h: the configuration is wrong.
let exitConfigurationError: Int32 = 78

/// Prints `message` as the error it is and returns the exit code for a bad configuration.
func configurationFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("telemetryd: error: \(message)\n".utf8))
    return ExitCode(exitConfigurationError)
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
            reload: { try await options.loadOrThrow(extra: overrides).configuration })
        do {
            try await service.run()
        } catch let error as ConfigurationError {
            // Found only when used (a password file that cannot be read): still the configuration.
            logger.critical("\(error)")
            throw ExitCode(exitConfigurationError)
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
        commandName: "check-config", abstract: "Validate the configuration and print the values in effect.",
        discussion: """
            Prints every setting with its value and where it came from (flag, env, file or \
            default), secrets masked, and checks that the files it names (mqtt.password_file, \
            mqtt.tls.*) can be read. A bad configuration exits 78 (EX_CONFIG) without the usage text.
            """)

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let (c, sources) = try await options.loadRecordingSources()
        let problems = EffectiveConfiguration.fileProblems(c)
        print(problems.isEmpty ? "configuration OK" : "configuration has \(problems.count) problem(s)")
        for line in EffectiveConfiguration.lines(c, sources: sources) { print(line) }
        guard let first = problems.first else { return }
        for p in problems.dropFirst() { FileHandle.standardError.write(Data("telemetryd: error: \(p)\n".utf8)) }
        throw configurationFailure(first.description)
    }
}

/// `telemetryd test`: what one message would become, without a broker.
struct TestMessage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Show what one message would become under the configuration: its readings or its dead-letter reason.",
        discussion: """
            Decodes the message with the daemon's own decoder and the configuration's templates \
            and limits, like `telegraf --test`; no broker, nothing written. Prints the matching \
            template, then one line per reading (site, device, metric, value, event time, seq) \
            and exits 0, or `dead letter: <reason>` and exits 1. too_late and series_limit \
            depend on the running daemon's state and never show here. Example:
              telemetryd test --config /etc/telemetryd/telemetryd.yaml \\
                --topic vn/hanoi/aq-hanoi-001/telemetry --payload '{"pm25":35.2,"ts":1764050400000}'
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("The message's topic.", valueName: "topic"))
    var topic: String

    @Option(help: ArgumentHelp("The message's payload (text, as given).", valueName: "payload"))
    var payload: String

    @Option(help: ArgumentHelp(
        "Arrival time: RFC 3339, e.g. 2026-11-24T06:00:00Z (default: now). The event time of a payload without ts.",
        valueName: "time"))
    var time: String?

    func validate() throws {
        if let time, UTCTimestamp.parse(time) == nil {
            throw ValidationError("invalid --time '\(time)': expected RFC 3339, e.g. 2026-11-24T06:00:00Z")
        }
    }

    func run() async throws {
        let configuration = try await options.load()
        let arrival = time.flatMap(UTCTimestamp.parse) ?? Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let trial = MessageTrial(topic: topic, payload: Array(payload.utf8), arrivalMs: arrival, configuration: configuration)
        let outcome = trial.run()
        for line in trial.report(outcome) { print(line) }
        if case .rejected = outcome { throw ExitCode(1) }
    }
}
