import Atomics
import Foundation
import Logging
import Synchronization
import TelemetryCore
import TelemetryStorage

/// The whole path from decoded message to rollup file: producers (one per ingest thread)
/// push readings into the lock-free ring; one aggregator thread drains it in batches, folds
/// readings into windows, appends closed rollups to files, dead-letters too-late readings,
/// and rewrites `status.json`.
///
/// Lifecycle: `init` → `start()` → producers `ingest` → `finish(closingAllWindows:)` once no
/// producer will push again. `finish` drains the ring completely before returning, so every
/// reading pushed is aggregated exactly once.
///
/// Threading: `Sendable`. Producers are per thread (`makeProducer()`); the aggregator state
/// lives only on the aggregator thread, which this type starts and joins; what crosses
/// threads is the ring (lock-free), atomics, the registry and dead-letter sink (mutexes).
public final class IngestPipeline: Sendable {
    public let configuration: DaemonConfiguration
    public let mode: String
    public let registry: SeriesRegistry
    public let counters = PipelineCounters()
    let ring: ReadingRing
    let deadLetters: DeadLetterSink
    private let logger: Logger
    private let stopping = ManagedAtomic<Bool>(false)
    /// Wall-clock ms of the aggregator loop's last turn (for the systemd watchdog).
    private let heartbeat = ManagedAtomic<Int64>(0)
    /// Retention in days; SIGHUP may change it.
    private let retentionDays: ManagedAtomic<Int>
    private let reopenRequested = ManagedAtomic<Bool>(false)
    private let closeAllAtEnd = ManagedAtomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let startedMs: Int64
    private let latest: Mutex<PipelineStatus>
    /// Wall clock in epoch ms; replaceable for tests.
    private let clock: @Sendable () -> Int64

    /// Whether open windows and seq state are saved at `finish` and restored at start.
    public let checkpointing: Bool

    public init(
        configuration: DaemonConfiguration, mode: String, logger: Logger, checkpointing: Bool = false,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000) }
    ) throws(StorageError) {
        self.configuration = configuration
        self.mode = mode
        self.checkpointing = checkpointing
        retentionDays = ManagedAtomic(configuration.retentionDays)
        self.logger = logger
        self.clock = clock
        registry = SeriesRegistry(limit: configuration.maxSeries)
        ring = ReadingRing(minimumCapacity: configuration.ringCapacity)
        deadLetters = DeadLetterSink(directory: configuration.dataDirectory)
        startedMs = clock()
        latest = Mutex(PipelineStatus(mode: mode, startedMs: startedMs, updatedMs: startedMs))
        try FileSystem.makeDirectory(configuration.dataDirectory.root)
        let repaired = try RollupFileSink.repairTornLines(in: configuration.dataDirectory)
        if repaired > 0 { logger.warning("cut a torn last line from \(repaired) file(s) left by an earlier crash") }
    }

    /// A producer for one ingest thread.
    public func makeProducer() -> IngestProducer {
        IngestProducer(
            decoder: MessageDecoder(templates: configuration.templates, registry: registry, limits: configuration.limits),
            ring: ring, policy: configuration.overflowPolicy, counters: counters, deadLetters: deadLetters,
            isStopping: { [stopping] in stopping.load(ordering: .relaxed) })
    }

    /// Starts the aggregator thread.
    public func start() {
        let thread = Thread { [self] in
            runAggregator()
            finished.signal()
        }
        thread.name = "telemetryd-aggregator"
        thread.start()
    }

    /// Stops after draining the ring; with `closingAllWindows` every open window is closed
    /// and written (end of a replay). Returns the final status.
    @discardableResult
    public func finish(closingAllWindows: Bool) -> PipelineStatus {
        closeAllAtEnd.store(closingAllWindows, ordering: .relaxed)
        stopping.store(true, ordering: .releasing)
        finished.wait()
        return status
    }

    /// Whether the aggregator thread has turned within `withinMs` (false once it stopped).
    public func isHealthy(withinMs: Int64 = 10_000) -> Bool {
        clock() - heartbeat.load(ordering: .relaxed) <= withinMs
    }

    /// Changes retention from now on (SIGHUP reload).
    public func setRetention(days: Int) { retentionDays.store(days, ordering: .relaxed) }

    /// Asks the aggregator thread to close and reopen its files (SIGHUP, log rotation).
    public func reopenFiles() { reopenRequested.store(true, ordering: .relaxed) }

    /// The latest status snapshot (refreshed by the aggregator thread).
    public var status: PipelineStatus { latest.withLock { $0 } }

    // MARK: aggregator thread

    private func runAggregator() {
        let c = configuration
        let aggregator = WindowAggregator(windows: c.windows, allowedLatenessMs: c.allowedLatenessMs, registry: registry)
        let sink = RollupFileSink(directory: c.dataDirectory, format: c.fileFormat)
        var backlog: [Rollup] = []
        var lastError: String?
        var highWater = 0
        var lastFlushMs = clock()
        var lastStatusMs = lastFlushMs
        RetentionPolicy(days: retentionDays.load(ordering: .relaxed)).prune(c.dataDirectory, nowMs: lastFlushMs)
        if checkpointing { restoreCheckpoint(into: aggregator) }

        func handleOutput() {
            if aggregator.hasClosed { backlog.append(contentsOf: aggregator.takeClosed()) }
            for r in aggregator.takeTooLate() { deadLetters.append(tooLateLetter(r, aggregator)) }
        }
        func writeBacklog() {
            guard !backlog.isEmpty else { return }
            do {
                try sink.write(backlog)
                backlog.removeAll(keepingCapacity: true)
                if lastError != nil { logger.notice("rollup files writable again"); lastError = nil }
            } catch {
                if lastError != error.description { logger.error("\(error); rollups kept in memory and retried") }
                lastError = error.description
            }
        }
        func flushFiles() {
            writeBacklog()
            do {
                try sink.flush()
                try deadLetters.flush()
            } catch {
                if lastError != error.description { logger.error("\(error)") }
                lastError = error.description
            }
        }
        func publishStatus(write: Bool) {
            var s = PipelineStatus(mode: mode, startedMs: startedMs, updatedMs: clock())
            s.received = counters.received.load(ordering: .relaxed)
            s.readings = counters.readings.load(ordering: .relaxed)
            s.dropped = counters.dropped.load(ordering: .relaxed)
            s.blocked = counters.blocked.load(ordering: .relaxed)
            for reason in RejectReason.allCases {
                let n = reason == .tooLate ? aggregator.tooLateCount : counters.rejectedCount(reason)
                if n > 0 { s.deadLettersByReason[reason] = n }
            }
            s.deadLetters = s.deadLettersByReason.values.reduce(0, +)
            s.accepted = aggregator.readingsAccepted
            s.duplicates = aggregator.seq.duplicates
            s.duplicateReadings = aggregator.duplicateReadings
            s.gaps = aggregator.seq.gaps
            s.deviceRestarts = aggregator.seq.restarts
            s.tooLate = aggregator.tooLateCount
            for (k, w) in aggregator.windows.enumerated() { s.lateByWindow[w.name] = aggregator.lateByWindow[k] }
            s.rollupsWritten = sink.linesWritten
            s.ringCapacity = ring.capacity
            s.ringInUse = ring.count
            s.ringHighWater = highWater
            s.overflowPolicy = c.overflowPolicy
            s.windows = c.windows.map(\.name)
            s.openWindows = aggregator.openWindowCount
            s.series = registry.seriesCount
            s.devices = registry.deviceCount
            s.watermarkMs = aggregator.watermark == .min ? nil : aggregator.watermark
            s.lastError = lastError
            latest.withLock { $0 = s }
            if write {
                do { try FileSystem.replaceAtomically(c.dataDirectory.status, with: s.json()) } catch {
                    logger.error("\(error)")
                }
            }
        }

        var idleSpins = 0
        while true {
            let inUse = ring.count
            if inUse > highWater { highWater = inUse }
            let n = ring.drain(maxCount: 4_096) { aggregator.add($0) }
            handleOutput()
            if n == 0 {
                if stopping.load(ordering: .acquiring), ring.count == 0 {
                    // Producers are done; one last drain catches a push that raced the check.
                    if ring.drain(maxCount: .max, { aggregator.add($0) }) == 0 { break }
                    continue
                }
                idleSpins += 1
                usleep(idleSpins < 10 ? 50 : 1_000)
            } else {
                idleSpins = 0
            }
            let now = clock()
            heartbeat.store(now, ordering: .relaxed)
            if reopenRequested.exchange(false, ordering: .relaxed) {
                flushFiles()
                do { try sink.reopen() } catch { logger.error("\(error)") }
            }
            if now - lastFlushMs >= 1_000 || backlog.count >= 65_536 {
                flushFiles()
                lastFlushMs = now
            }
            if now - lastStatusMs >= c.statusIntervalMs {
                publishStatus(write: true)
                lastStatusMs = now
                let days = retentionDays.load(ordering: .relaxed)
                if days > 0 { RetentionPolicy(days: days).prune(c.dataDirectory, nowMs: now) }
            }
        }
        if closeAllAtEnd.load(ordering: .relaxed) { aggregator.closeAll() }
        handleOutput()
        flushFiles()
        if checkpointing, !closeAllAtEnd.load(ordering: .relaxed) { writeCheckpoint(aggregator) }
        publishStatus(write: true)
    }

    // MARK: checkpoints

    private var checkpointPath: String { configuration.dataDirectory.state + "/checkpoint.json" }

    /// Restores open windows and seq state saved by the last clean shutdown, then moves the
    /// file aside so a crash later in this run cannot make a later start restore it twice.
    private func restoreCheckpoint(into aggregator: WindowAggregator) {
        guard let data = FileManager.default.contents(atPath: checkpointPath) else { return }
        do {
            let checkpoint = try JSONDecoder().decode(AggregatorCheckpoint.self, from: data)
            aggregator.restore(checkpoint)
            _ = rename(checkpointPath, checkpointPath + ".restored")
            logger.info("restored checkpoint: \(checkpoint.open.count) open windows, \(checkpoint.devices.count) devices")
        } catch {
            logger.error("ignoring unreadable checkpoint \(checkpointPath): \(error)")
            _ = rename(checkpointPath, checkpointPath + ".unreadable")
        }
    }

    private func writeCheckpoint(_ aggregator: WindowAggregator) {
        do {
            try FileSystem.makeDirectory(configuration.dataDirectory.state)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(aggregator.checkpoint())
            try FileSystem.replaceAtomically(checkpointPath, with: Array(data))
            logger.info("checkpoint written: \(aggregator.openWindowCount) open windows")
        } catch {
            logger.error("cannot write checkpoint \(checkpointPath): \(error)")
        }
    }

    /// A too-late reading as a dead letter: the topic is `<site>/<device>` and the payload
    /// a JSON object with the metric, event time and value.
    private func tooLateLetter(_ r: Reading, _ aggregator: WindowAggregator) -> DeadLetter {
        let key = aggregator.key(of: r.series)
        var payload: [UInt8] = Array(#"{"metric":"#.utf8)
        RollupEncoder.appendJSONString(key.metric, to: &payload)
        payload.append(contentsOf: #","ts":""#.utf8)
        payload.append(contentsOf: UTCTimestamp.format(milliseconds: r.eventTimeMs).utf8)
        payload.append(contentsOf: #"","value":"#.utf8)
        payload.append(contentsOf: (RollupEncoder.floatText(r.value) ?? "null").utf8)
        if r.seq != Reading.noSeq { payload.append(contentsOf: ",\"seq\":\(r.seq)".utf8) }
        payload.append(0x7D)
        let received = mode == "replay" ? aggregator.watermark : clock()
        return DeadLetter(
            receivedMs: received, topic: Array("\(key.site)/\(key.device)".utf8), reason: .tooLate, payload: payload)
    }
}
