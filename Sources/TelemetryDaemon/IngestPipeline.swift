import Foundation
import Synchronization
package import Logging
package import TelemetryCore
package import TelemetryStorage

/// The whole path from decoded message to rollup file, as one object the rest of the daemon
/// holds: producers (one per ingest thread) push readings into the lock-free ring; one
/// aggregator thread (`AggregatorLoop`) drains it and writes the files.
///
/// Lifecycle: `init` (repairs torn lines left by a crash) → `start()` → producers `ingest` →
/// `await finish(_:)` once no producer will push again. `finish` drains the ring completely
/// before returning, so every reading pushed is aggregated exactly once.
///
/// Threading: `Sendable`. Producers are per thread (`makeProducer()`); the aggregator's state
/// lives only on its thread, which this type starts; what crosses threads is the ring
/// (lock-free), the counters (atomics), the registry and dead-letter sink (mutexes), and
/// `AggregatorControl`.
package final class IngestPipeline: Sendable {
    package let configuration: DaemonConfiguration
    package let mode: PipelineMode
    package let registry: SeriesRegistry
    package let counters = PipelineCounters()
    let ring: ReadingRing
    /// How producers and `finish` wake the aggregator thread when it waits for readings.
    let doorbell = RingDoorbell()
    let deadLetters: DeadLetterSink
    /// Live mode: rejected messages in the daemon's log, rate-limited (nil in a replay, whose
    /// summary reports them).
    package let deadLetterLog: DeadLetterLog?
    /// Told how long each append of closed rollups to their files took (the metrics' histogram).
    private let rollupWriteObserver: (@Sendable (Duration) -> Void)?
    private let logger: Logger
    private let control: AggregatorControl
    /// Live mode: the write-ahead log's door into the ring, and the checkpoint restored.
    let gate: IngestGate?
    private let restored: AggregatorCheckpoint?
    /// The data directory's lock, held from `init` until `finish` returns: a second
    /// telemetryd on the same directory would write every rollup twice.
    private let lock: Mutex<DataDirectoryLock?>
    /// Per connection, what the log's tail says may be redelivered (filled by `recover()`).
    private let redeliveries = Mutex<[UInt16: RedeliveryFilter]>([:])
    private let startedMs: Int64
    /// Wall clock in epoch ms; replaceable for tests.
    private let clock: @Sendable () -> Int64

    package init(
        configuration: DaemonConfiguration, mode: PipelineMode, logger: Logger,
        deadLetterBufferBytes: Int = 16 << 20,
        clock: @escaping @Sendable () -> Int64 = { WallClock.nowMs() },
        rollupWriteObserver: (@Sendable (Duration) -> Void)? = nil
    ) throws(DataDirectoryError) {
        self.configuration = configuration
        self.rollupWriteObserver = rollupWriteObserver
        deadLetterLog = mode == .live ? DeadLetterLog(logger: logger, clock: clock) : nil
        self.mode = mode
        self.logger = logger
        self.clock = clock
        registry = SeriesRegistry(limit: configuration.maxSeries)
        ring = ReadingRing(minimumCapacity: configuration.ringCapacity)
        deadLetters = DeadLetterSink(directory: configuration.dataDirectory, maxBufferedBytes: deadLetterBufferBytes)
        startedMs = clock()
        control = AggregatorControl(
            retentionDays: configuration.retentionDays,
            status: PipelineStatus(mode: mode.rawValue, startedMs: startedMs, updatedMs: startedMs))
        lock = Mutex(try DataDirectoryLock.acquire(configuration.dataDirectory))
        try DataDirectoryLock.checkWritable(configuration.dataDirectory)
        let checkpoint: AggregatorCheckpoint?
        do throws(StorageError) {
            checkpoint = try Self.prepareFiles(configuration.dataDirectory, mode: mode, logger: logger)
        } catch {
            throw .file(error)
        }
        restored = checkpoint
        gate = mode.checkpoints
            ? IngestGate(ring: ring, doorbell: doorbell, deadLetters: deadLetters, lastAdmitted: UInt64(checkpoint?.appliedLSN ?? 0)) : nil
    }

    /// Start-up file work, before anything is written: in live mode, loads the checkpoint and
    /// undoes the output written after it (`recover()` writes it again from the log); then
    /// cuts torn last lines (a replay that crashed, or files from before the log).
    private static func prepareFiles(
        _ directory: DataDirectory, mode: PipelineMode, logger: Logger
    ) throws(StorageError) -> AggregatorCheckpoint? {
        var checkpoint: AggregatorCheckpoint?
        if mode.checkpoints {
            checkpoint = CheckpointFile(directory: directory, logger: logger).load()
            let undone = try OutputJournal.rollBack(stateDirectory: directory.state, epoch: checkpoint?.epoch ?? 0)
            if undone > 0 { logger.notice("cut \(undone) file(s) back to the last checkpoint; the log replays the rest") }
        }
        let repaired = try RollupFileSink.repairTornLines(in: directory, skipped: { logger.warning("\($0)") })
        if repaired > 0 { logger.warning("cut a torn last line from \(repaired) file(s) left by an earlier crash") }
        return checkpoint
    }

    /// A producer for one ingest thread.
    package func makeProducer() -> IngestProducer {
        IngestProducer(
            decoder: MessageDecoder(templates: configuration.templates, registry: registry, limits: configuration.limits),
            registry: registry, ring: ring, doorbell: doorbell, gate: gate, policy: configuration.overflowPolicy, counters: counters, deadLetters: deadLetters,
            deadLetterLog: deadLetterLog,
            isStopping: { [control] in control.isStopping },
            onLogFailure: { [logger, control] error in
                control.logError = error.map { "\($0)" }
                if let error {
                    logger.error("\(error); messages are not acknowledged until the write-ahead log takes them again")
                } else {
                    logger.notice("write-ahead log writable again")
                }
            })
    }

    /// Live mode, after `start()` and before any producer ingests: replays the write-ahead
    /// log after the restored checkpoint (its messages were acknowledged, so they are in the
    /// log and nowhere else), remembers the log's tail per connection to recognise
    /// redeliveries, and opens the log for new messages. Returns the messages replayed.
    @discardableResult
    package func recover() async throws -> Int {
        guard let gate else { return 0 }
        let applied = UInt64(restored?.appliedLSN ?? 0)
        let keep = UInt64(AggregatorLoop.logTailKept)
        let walDirectory = configuration.dataDirectory.wal
        let outcome = await onDedicatedThread(named: "td-recovery") { [self] () -> Result<Recovery, StorageError> in
            let producer = makeProducer()
            var tails: [UInt16: [(mid: Int32, digest: UInt64)]] = [:]
            var replayed = 0
            do throws(StorageError) {
                let summary = try WriteAheadLog.read(directory: walDirectory, from: applied > keep ? applied - keep : 1) {
                    record throws(StorageError) in
                    var tail = tails[record.connection, default: []]
                    tail.append((record.mid, RedeliveryFilter.digest(topic: record.topic, payload: record.payload)))
                    if tail.count > 2 * Recovery.tailPerConnection { tail.removeFirst(tail.count - Recovery.tailPerConnection) }
                    tails[record.connection] = tail
                    guard record.lsn > applied else { return }
                    producer.ingest(
                        topic: record.topic, payload: record.payload, arrivalMs: record.arrivalMs,
                        connection: record.connection, mid: record.mid, recovered: record.lsn)
                    replayed += 1
                }
                guard configuration.walEnabled else {
                    // The log is off from now on: what was replayed lives in memory only, so
                    // nothing may be cut back, restored or replayed again after a crash. (The
                    // journal goes first: a crash in between then writes nothing twice.)
                    try OutputJournal.removeAll(stateDirectory: configuration.dataDirectory.state)
                    try CheckpointFile(directory: configuration.dataDirectory, logger: logger).remove()
                    let removed = try WriteAheadLog.removeAll(directory: walDirectory)
                    return .success(Recovery(log: nil, tails: [:], replayed: replayed, damaged: summary.stoppedAtDamage,
                                             removedSegments: removed))
                }
                let log = try WriteAheadLog(
                    directory: walDirectory, nextLSN: max(summary.lastLSN ?? 0, applied) + 1,
                    segmentBytes: configuration.walSegmentBytes)
                return .success(Recovery(log: log, tails: tails, replayed: replayed, damaged: summary.stoppedAtDamage))
            } catch {
                return .failure(error)
            }
        }
        let recovery = try outcome.get()
        if recovery.damaged {
            logger.critical("the write-ahead log ends in a damaged record (a power cut?); replayed what came before it")
        }
        for path in recovery.log?.setAside ?? [] {
            logger.warning("set aside \(path): a write-ahead-log segment after the recovered position")
        }
        if recovery.replayed > 0 { logger.notice("recovered \(recovery.replayed) message(s) from the write-ahead log") }
        redeliveries.withLock { filters in
            for (connection, tail) in recovery.tails {
                filters[connection] = RedeliveryFilter(entries: tail.suffix(Recovery.tailPerConnection))
            }
        }
        if !configuration.walEnabled {
            logger.warning(
                "write-ahead log off (wal.enabled: false): a crash loses the open windows and the messages not yet in them\(recovery.removedSegments > 0 ? "; removed \(recovery.removedSegments) old log segment(s) after replaying them" : "")")
        }
        gate.open(appendingTo: recovery.log)
        return recovery.replayed
    }

    /// What the log's tail says connection `connection` may redeliver (taken once).
    func takeRedeliveryFilter(connection: UInt16) -> RedeliveryFilter {
        redeliveries.withLock { $0.removeValue(forKey: connection) } ?? RedeliveryFilter(entries: [])
    }

    /// Starts the aggregator thread.
    package func start() {
        let context = AggregatorLoop.Context(
            configuration: configuration, mode: mode, ring: ring, doorbell: doorbell, registry: registry, counters: counters,
            deadLetters: deadLetters, control: control, logger: logger, clock: clock, startedMs: startedMs,
            gate: gate, restored: restored, deadLetterLog: deadLetterLog, rollupWriteObserver: rollupWriteObserver)
        let thread = Thread { [control] in
            ThreadName.apply(ThreadName.aggregator)
            AggregatorLoop(context).run()
            control.exited.complete()
        }
        thread.start()
    }

    /// Ends the run once the ring is drained (see `PipelineEnd`) and returns the final
    /// status. Suspends, without blocking a thread, until the aggregator thread has finished.
    @discardableResult
    package func finish(_ end: PipelineEnd) async -> PipelineStatus {
        control.requestEnd(end)
        doorbell.ring()
        await control.exited.wait()
        lock.withLock { $0.take()?.release() }
        return status
    }

    /// The LSN of the last message admitted to the write-ahead log (nil in a replay).
    var lastAdmittedLSN: UInt64? { gate?.lastAdmittedLSN }

    /// Whether the aggregator thread has turned within `withinMs` (false once it stopped).
    package func isHealthy(withinMs: Int64 = 10_000) -> Bool {
        clock() - control.heartbeatMs <= withinMs
    }

    /// Changes retention from now on (SIGHUP reload).
    package func setRetention(days: Int) { control.retentionDays = days }

    /// Asks the aggregator thread to close and reopen its files (SIGHUP, log rotation).
    package func reopenFiles() { control.requestReopen() }

    /// The latest status snapshot (refreshed by the aggregator thread).
    package var status: PipelineStatus { control.status }
}

/// What `IngestPipeline.recover()` found, handed from the recovery thread back to its caller.
/// `@unchecked Sendable`: the log inside is not used by the recovery thread after it returns.
private struct Recovery: @unchecked Sendable {
    /// Nil when the log is off (`wal.enabled: false`).
    let log: WriteAheadLog?
    let tails: [UInt16: [(mid: Int32, digest: UInt64)]]
    let replayed: Int
    let damaged: Bool
    /// Segments of an old log deleted after replaying it, because the log is now off.
    var removedSegments = 0
    /// Records per connection remembered for the redelivery filter (≥ any broker's in-flight window).
    static let tailPerConnection = 1_024
}
