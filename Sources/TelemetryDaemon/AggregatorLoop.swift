import Logging
import TelemetryCore
import TelemetryStorage

/// The aggregator thread of an `IngestPipeline`: drains the ring in batches, folds readings
/// into windows, appends closed rollups to files (keeping them in memory and retrying while
/// the disk refuses), dead-letters too-late readings, refreshes the status, prunes old
/// partitions, and at the end closes or checkpoints the open windows.
///
/// Invariants: every reading pushed into the ring before the end was requested is added to
/// the aggregator exactly once; a rollup leaves `backlog` only once the sink has taken it.
///
/// Threading: not `Sendable`. Created, run and dropped on the aggregator thread; its entry
/// points check that in debug builds (`OwningThread`).
final class AggregatorLoop {
    /// What the loop shares with the pipeline's other threads (all `Sendable`).
    struct Context: Sendable {
        let configuration: DaemonConfiguration
        let mode: PipelineMode
        let ring: ReadingRing
        let doorbell: RingDoorbell
        let registry: SeriesRegistry
        let counters: PipelineCounters
        let deadLetters: DeadLetterSink
        let control: AggregatorControl
        let logger: Logger
        let clock: @Sendable () -> Int64
        let startedMs: Int64
        /// Live mode: the gate producers admit through, and the checkpoint recovered at start.
        let gate: IngestGate?
        let restored: AggregatorCheckpoint?
        /// Live mode: where dead letters are logged (the too-late ones come from here).
        let deadLetterLog: DeadLetterLog?
        /// Told how long each `RollupFileSink.write` took (the metrics' latency histogram).
        let rollupWriteObserver: (@Sendable (Duration) -> Void)?
    }

    private let context: Context
    private let aggregator: WindowAggregator
    private let sink: RollupFileSink
    private let checkpoints: CheckpointFile?
    /// Live mode: the current output epoch's undo record (see `OutputJournal`).
    private let journal: OutputJournal?
    private var lastCheckpointMs: Int64
    /// The log position the last checkpoint covers, and when it was written (nil before the
    /// first of this run), for the metrics' checkpoint lag.
    private var checkpointedLSN: UInt64
    private var checkpointWrittenMs: Int64?
    /// When `control.status` was last refreshed without writing status.json (metrics on).
    private var lastSnapshotMs: Int64
    private var ownerThread = OwningThread()
    /// Closed rollups not yet taken by the sink.
    private var backlog: [Rollup] = []
    /// The last file error, until files are writable again (shown in status.json).
    private var lastError: String?
    private var ringHighWater = 0
    private var lastFlushMs: Int64
    /// When closed rollups were last handed to the files (live mode writes them every
    /// `writeIntervalMs`, a replay at each flush).
    private var lastWriteMs: Int64
    /// Live mode: whether recovery is over, and the write-ahead log it opened (nil when the
    /// log is off); read from the gate only until then — the gate's lock is the producers'.
    private var recovered = false
    private var log: WriteAheadLog?
    private var lastStatusMs: Int64
    private var lastDevicesMs: Int64
    private var idleTurns = 0
    /// Live mode: whether the aggregator was told when listening began (after recovery).
    private var listening = false

    /// Batch size of one drain.
    static let drainBatch = 4_096
    /// Rollups kept in memory before a flush is forced.
    static let backlogFlushThreshold = 65_536
    static let flushIntervalMs: Int64 = 1_000
    /// Live mode: how long closed rollups may wait before they are appended to their files
    /// (made durable at the next flush); a rollup is on disk this soon after it closes.
    static let writeIntervalMs: Int64 = 50
    /// Longest wait for readings while traffic flows, and once idle for `idleAfterTurns` turns.
    static let busyParkMs = 2
    static let idleParkMs = 50
    static let idleAfterTurns = 100
    /// With the metrics endpoint on: how often the status snapshot it reads is refreshed.
    static let metricsSnapshotIntervalMs: Int64 = 1_000

    init(_ context: Context) {
        self.context = context
        let c = context.configuration
        aggregator = WindowAggregator(
            windows: c.windows, allowedLatenessMs: c.allowedLatenessMs, idleCloseMs: c.idleCloseMs,
            alignment: c.windowAlignment, sketches: !c.percentiles.isEmpty, registry: context.registry)
        sink = RollupFileSink(directory: c.dataDirectory, format: c.fileFormat, percentiles: c.percentiles)
        checkpoints = context.mode.checkpoints ? CheckpointFile(directory: c.dataDirectory, logger: context.logger) : nil
        if context.mode.checkpoints, !c.walEnabled {
            // Without the log nothing is replayed after a crash, so nothing may be cut back:
            // no journal (recovery removes one left by a run that had the log on).
            journal = nil
        } else if context.mode.checkpoints {
            do {
                journal = try OutputJournal(stateDirectory: c.dataDirectory.state, epoch: context.restored?.epoch ?? 0)
            } catch {
                context.logger.critical("\(error); output is not protected against a crash until it can be written")
                journal = nil
            }
        } else {
            journal = nil
        }
        sink.journal = journal
        lastFlushMs = context.clock()
        lastWriteMs = lastFlushMs
        lastStatusMs = lastFlushMs
        lastDevicesMs = lastFlushMs
        lastCheckpointMs = lastFlushMs
        lastSnapshotMs = lastFlushMs
        checkpointedLSN = UInt64(context.restored?.appliedLSN ?? 0)
    }

    /// The thread body: runs until the pipeline asks for an end and the ring is empty.
    func run() {
        ownerThread.check()
        RetentionPolicy(days: context.control.retentionDays).prune(context.configuration.dataDirectory, nowMs: lastFlushMs)
        // A window size closing for a whole fleet at once (its devices all went quiet) is
        // written in chunks as it closes, not held in memory whole.
        aggregator.closedChunk = Self.drainBatch
        aggregator.onClosedChunk = { [unowned self] in
            collectOutput()
            writeBacklogIfWritable()
        }
        if let restored = context.restored { aggregator.restore(restored) }
        var end: PipelineEnd?
        repeat { end = turn() } while end == nil
        finish(end!)
    }

    /// One turn of the loop: drain a batch (or wait a little when there is none), then do
    /// what is due. Returns the end once it was requested and nothing is left to drain.
    private func turn() -> PipelineEnd? {
        ownerThread.check()
        let inUse = context.ring.count
        if inUse > ringHighWater { ringHighWater = inUse }
        let drained = drain(maxCount: Self.drainBatch)
        if drained == 0 {
            if let end = context.control.requestedEnd, context.ring.count == 0 {
                // Producers are done; one last drain catches a push that raced the check.
                if drain(maxCount: .max) == 0 { return end }
                return nil
            }
            idleTurns += 1
            let ring = context.ring
            context.doorbell.park(timeoutMs: idleTurns < Self.idleAfterTurns ? Self.busyParkMs : Self.idleParkMs) {
                ring.count > 0 || context.control.requestedEnd != nil
            }
        } else {
            idleTurns = 0
        }
        let now = context.clock()
        if drained == 0 { advanceIngestClock(to: now) }
        context.control.heartbeatMs = now
        if context.control.takeReopenRequest() { reopenFiles() }
        if now - lastFlushMs >= Self.flushIntervalMs || backlog.count >= Self.backlogFlushThreshold {
            flushFiles()
            lastFlushMs = now
            lastWriteMs = now
            context.deadLetterLog?.tick()
        } else if backlog.count >= Self.drainBatch
                    || (context.mode == .live && !backlog.isEmpty && now - lastWriteMs >= Self.writeIntervalMs) {
            writeBacklogIfWritable()
            lastWriteMs = now
        }
        if checkpoints != nil, context.configuration.walEnabled,
           now - lastCheckpointMs >= context.configuration.checkpointIntervalMs, takeCheckpoint() {
            lastCheckpointMs = now
        }
        if context.configuration.metricsListen != nil, now - lastSnapshotMs >= Self.metricsSnapshotIntervalMs {
            // Scrapes see the aggregator's counters at most this old, whatever status.interval is.
            publishStatus(writing: false)
            lastSnapshotMs = now
        }
        if now - lastStatusMs >= context.configuration.statusIntervalMs {
            publishStatus(writing: true)
            lastStatusMs = now
            if now - lastDevicesMs >= context.configuration.devicesIntervalMs {
                writeDevices()
                lastDevicesMs = now
            }
            let days = context.control.retentionDays
            if days > 0 { RetentionPolicy(days: days).prune(context.configuration.dataDirectory, nowMs: now) }
        }
        return nil
    }

    /// Adds up to `maxCount` readings from the ring and collects what they closed.
    private func drain(maxCount: Int) -> Int {
        let n = context.ring.drain(maxCount: maxCount) { aggregator.add($0) }
        collectOutput()
        return n
    }

    /// Live mode, once the log is recovered and nothing waits in the ring: the wall clock is
    /// the ingest clock between messages, so quiet devices get their windows written. (A
    /// replay goes by the capture's arrival times only, so that it is deterministic; during
    /// recovery the log's arrival times are the clock.)
    private func advanceIngestClock(to now: Int64) {
        guard context.mode == .live, isRecovered else { return }
        if !listening {
            aggregator.listening(since: now)
            listening = true
        }
        aggregator.advanceIngestClock(to: now)
        collectOutput()
    }

    /// Whether recovery is over (then known without taking the gate's lock again).
    private var isRecovered: Bool {
        if !recovered, let gate = context.gate, gate.isOpen {
            log = gate.attachedLog
            recovered = true
        }
        return recovered
    }

    /// The write-ahead log, once recovery has opened it (nil before, and when it is off).
    private var attachedLog: WriteAheadLog? { isRecovered ? log : nil }

    private func finish(_ end: PipelineEnd) {
        ownerThread.check()
        if end == .endOfInput {
            // Written as they close: the last windows of a large fleet are as many as its series.
            aggregator.closeAll(chunk: Self.drainBatch) {
                collectOutput()
                writeBacklog()
            }
        }
        collectOutput()
        flushFiles()
        if end == .stop, checkpoints != nil, !takeCheckpoint() {
            context.logger.error("open windows not checkpointed at stop; the write-ahead log still holds them")
        }
        publishStatus(writing: true)
        writeDevices()
        context.deadLetterLog?.flush()
    }

    // MARK: output

    /// Moves closed rollups to the backlog and too-late readings to the dead letters.
    private func collectOutput() {
        if aggregator.hasClosed {
            if backlog.isEmpty { backlog = aggregator.takeClosed() } else { backlog.append(contentsOf: aggregator.takeClosed()) }
        }
        for r in aggregator.takeTooLate() {
            context.deadLetterLog?.note(.tooLate) {
                let key = aggregator.key(of: r.series)
                return "site '\(LogSafeText.sanitize(key.site))' device '\(LogSafeText.sanitize(key.device))' metric '\(LogSafeText.sanitize(key.metric))'"
            }
            context.deadLetters.append(tooLateLetter(r))
        }
    }

    /// `writeBacklog()` between flushes, unless a file error is pending: then the backlog
    /// waits for the next flush's retry (re-encoding it every turn would burn CPU while the
    /// disk stays full).
    private func writeBacklogIfWritable() {
        if lastError == nil { writeBacklog() }
    }

    private func writeBacklog() {
        guard !backlog.isEmpty else { return }
        do {
            let started = ContinuousClock.now
            try sink.write(&backlog)
            context.rollupWriteObserver?(ContinuousClock.now - started)
            if lastError != nil {
                context.logger.notice("rollup files writable again")
                lastError = nil
            }
        } catch {
            note(error, "rollups kept in memory and retried")
        }
    }

    private func flushFiles() {
        writeBacklog()
        do {
            try sink.flush()
            try context.deadLetters.flush(journal: journal)
            try attachedLog?.sync()
        } catch {
            note(error, nil)
        }
        if let change = context.deadLetters.takeOverflowChange() { context.logger.warning("\(change)") }
    }

    // MARK: checkpoints (live mode)

    /// Folds everything admitted so far into the state, writes the output it closed, and
    /// records state + log position as the new checkpoint, which begins a new output epoch;
    /// then drops log segments no recovery can need. False (and nothing recorded) when a
    /// producer held the gate or a file could not be written — retried on a later turn.
    @discardableResult
    private func takeCheckpoint() -> Bool {
        ownerThread.check()
        guard let checkpoints else { return false }
        // Without the log (`wal.enabled: false`) there is no journal: only a stop checkpoints.
        guard journal != nil || !context.configuration.walEnabled else { return false }
        // With producers held out, everything admitted up to `covered` is drained and its
        // dead letters written; nothing after it is in the state or the files.
        let covered: UInt64
        if let gate = context.gate {
            let outcome = gate.quiesced { lsn -> Result<UInt64, StorageError> in
                _ = drain(maxCount: .max)
                do throws(StorageError) {
                    try context.deadLetters.flush(journal: journal)
                    return .success(lsn)
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case nil:
                return false  // a producer holds the gate: next turn
            case .failure(let error)?:
                note(error, "checkpoint not written; retried")
                return false
            case .success(let lsn)?:
                covered = lsn
            }
        } else {
            covered = 0
        }
        writeBacklog()
        guard backlog.isEmpty else { return false }
        do {
            try sink.flush()
            try attachedLog?.sync()
            var state = aggregator.checkpoint()
            state.appliedLSN = Int(covered)
            let epoch = journal.map { $0.epoch + 1 } ?? 0
            state.epoch = epoch
            try checkpoints.write(state)
            try journal?.begin(epoch: epoch)
            checkpointedLSN = covered
            checkpointWrittenMs = context.clock()
        } catch {
            note(error, "checkpoint not written; retried")
            return false
        }
        // Keep a tail behind the checkpoint: the redelivery filter needs the last records.
        let keep = UInt64(Self.logTailKept)
        if covered > keep { attachedLog?.removeSegments(before: covered - keep) }
        return true
    }

    /// Log records kept behind the newest checkpoint, for recognising redeliveries.
    static let logTailKept = 16_384

    private func reopenFiles() {
        flushFiles()
        do { try sink.reopen() } catch { context.logger.error("\(error)") }
    }

    /// Logs a file error once (not again while it repeats) and keeps it for the status.
    private func note(_ error: StorageError, _ consequence: String?) {
        if lastError != error.description {
            context.logger.error("\(error)\(consequence.map { "; \($0)" } ?? "")")
        }
        lastError = error.description
    }

    private func tooLateLetter(_ r: Reading) -> DeadLetter {
        let key = aggregator.key(of: r.series)
        return DeadLetter.tooLate(
            site: key.site, device: key.device, metric: key.metric, eventTimeMs: r.eventTimeMs, value: r.value,
            seq: r.seq == Reading.noSeq ? nil : r.seq, receivedMs: r.arrivalMs)
    }

    // MARK: status

    private func publishStatus(writing: Bool) {
        let s = snapshot()
        context.control.status = s
        guard writing else { return }
        do {
            try FileSystem.replaceAtomically(context.configuration.dataDirectory.status, with: s.json())
        } catch {
            context.logger.error("\(error)")
        }
    }

    /// Rewrites `devices.jsonl`: each device's clock and counters, with the messages the
    /// ingest threads rejected for it added to its dead letters.
    private func writeDevices() {
        let rejected = context.counters.rejectedByDevice()
        var devices = aggregator.deviceHealth()
        if !rejected.isEmpty {
            for i in devices.indices {
                guard let id = context.registry.deviceID(site: devices[i].site, device: devices[i].device) else { continue }
                devices[i].deadLetters += rejected[id, default: 0]
            }
        }
        do {
            try DeviceHealthFile(context.configuration.dataDirectory).write(devices)
        } catch {
            context.logger.error("\(error)")
        }
    }

    private func snapshot() -> PipelineStatus {
        let c = context.configuration, counters = context.counters
        var s = PipelineStatus(mode: context.mode.rawValue, startedMs: context.startedMs, updatedMs: context.clock())
        s.received = counters.received
        s.readings = counters.readings
        s.dropped = counters.dropped
        s.blocked = counters.blocked
        for reason in RejectReason.allCases {
            let n = reason == .tooLate ? aggregator.tooLateCount : counters.rejectedCount(reason)
            if n > 0 { s.deadLettersByReason[reason] = n }
        }
        s.deadLetters = s.deadLettersByReason.values.reduce(0, +)
        s.deadLettersDropped = context.deadLetters.overflowed
        s.accepted = aggregator.readingsAccepted
        s.duplicates = aggregator.seq.duplicates
        s.duplicateReadings = aggregator.duplicateReadings
        s.gaps = aggregator.seq.gaps
        s.deviceRestarts = aggregator.seq.restarts
        s.tooLate = aggregator.tooLateCount
        for (k, w) in aggregator.windows.enumerated() { s.lateByWindow[w.name] = aggregator.lateByWindow[k] }
        s.rollupsWritten = sink.linesWritten
        s.ringCapacity = context.ring.capacity
        s.ringInUse = context.ring.count
        s.ringHighWater = ringHighWater
        s.overflowPolicy = c.overflowPolicy
        s.windows = c.windows.map(\.name)
        s.openWindows = aggregator.openWindowCount
        s.series = context.registry.seriesCount
        s.devices = context.registry.deviceCount
        s.watermarkMs = aggregator.latestEventMs == .min ? nil : aggregator.latestEventMs
        s.ingestClockMs = aggregator.ingestClockMs == .min ? nil : aggregator.ingestClockMs
        s.nextCloseMs = aggregator.nextCloseEstimateMs
        s.reopenedWindows = aggregator.reopenedWindows
        s.idleCloseMs = c.idleCloseMs
        s.lastError = context.control.logError ?? lastError
        if context.mode.checkpoints {
            s.lastCheckpointMs = checkpointWrittenMs
            if c.walEnabled, let gate = context.gate, isRecovered {
                s.walRecordsSinceCheckpoint = Int(gate.lastAdmittedLSN &- min(checkpointedLSN, gate.lastAdmittedLSN))
            }
        }
        return s
    }
}
