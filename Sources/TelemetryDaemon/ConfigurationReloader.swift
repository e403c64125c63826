import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP: re-reads the configuration while the daemon runs. The log level (of the process
/// and of libmosquitto's tracing) and retention change at once and files are reopened;
/// every other changed key is named in the log as needing a restart. A configuration that
/// fails to load is logged and the running one kept.
///
/// Threading: `Sendable`; `run()` is one task of the group, handling one SIGHUP at a time.
struct ConfigurationReloader: Service {
    /// SIGHUP, trapped by `LiveIngestService` before start-up began.
    let signals: UnixSignalsSequence
    let running: DaemonConfiguration
    let pipeline: IngestPipeline
    let notifier: SystemdNotifier
    let logLevel: LogLevelControl
    let logger: Logger
    let reload: @Sendable () async throws -> DaemonConfiguration
    /// Called with the new log level (e.g. to tell the MQTT clients).
    let onLogLevel: @Sendable (Logger.Level) -> Void

    func run() async {
        for await _ in signals.cancelOnGracefulShutdown() {
            await reloadOnce()
        }
    }

    func reloadOnce() async {
        notifier.reloading()
        defer { notifier.notify("READY=1") }
        let fresh: DaemonConfiguration
        do { fresh = try await reload() } catch {
            logger.error("SIGHUP: configuration not reloaded, keeping the running one: \(error)")
            return
        }
        if let level = Logger.Level(rawValue: fresh.logLevel) {
            logLevel.level = level
            onLogLevel(level)
        }
        pipeline.setRetention(days: fresh.retentionDays)
        pipeline.reopenFiles()
        let needRestart = Self.keysNeedingRestart(running: running, fresh: fresh)
        let changed = needRestart.isEmpty
            ? "nothing else changed" : "changed but need a restart: \(needRestart.joined(separator: ", "))"
        logger.notice("SIGHUP: reloaded log.level=\(fresh.logLevel) retention.days=\(fresh.retentionDays), files reopened; \(changed)")
    }

    /// The keys (or groups of keys) that differ between `running` and `fresh` and only take
    /// effect after a restart.
    static func keysNeedingRestart(running c: DaemonConfiguration, fresh: DaemonConfiguration) -> [String] {
        var keys: [String] = []
        if fresh.dataDirectory != c.dataDirectory { keys.append("data_dir") }
        if fresh.templates != c.templates { keys.append("templates") }
        if fresh.windows != c.windows || fresh.allowedLatenessMs != c.allowedLatenessMs
            || fresh.windowAlignment != c.windowAlignment { keys.append("windows/lateness") }
        if fresh.idleCloseMs != c.idleCloseMs { keys.append("idle_close") }
        if fresh.ringCapacity != c.ringCapacity || fresh.overflowPolicy != c.overflowPolicy { keys.append("ring") }
        if fresh.limits != c.limits || fresh.maxSeries != c.maxSeries { keys.append("limits") }
        if fresh.fileFormat != c.fileFormat { keys.append("files.format") }
        if fresh.broker != c.broker { keys.append("mqtt") }
        return keys
    }
}
