import Synchronization

/// What crosses between an `IngestPipeline` (called from any thread) and its aggregator
/// thread: requests one way (stop, reopen files, new retention), observations the other
/// (heartbeat, the latest status, the thread's exit).
///
/// Invariants: the stop request is made once and never taken back; `exited` completes once,
/// after the aggregator thread's last write.
///
/// Threading: `Sendable`; atomics and a mutex only.
final class AggregatorControl: Sendable {
    /// 0 while running; then the `PipelineEnd` asked for (1 = `.stop`, 2 = `.endOfInput`).
    private let end = Atomic<UInt8>(0)
    private let reopen = Atomic<Bool>(false)
    private let retention: Atomic<Int>
    private let heartbeat = Atomic<Int64>(0)
    private let latest: Mutex<PipelineStatus>
    private let logFailure = Mutex<String?>(nil)
    /// Completed by the aggregator thread when it has finished.
    let exited = Completion()

    init(retentionDays: Int, status: PipelineStatus) {
        retention = Atomic(retentionDays)
        latest = Mutex(status)
    }

    // MARK: requests (any thread → aggregator)

    /// Asks the aggregator thread to drain the ring and end as `how` says. Only the first
    /// request counts; a later one changes nothing.
    func requestEnd(_ how: PipelineEnd) {
        _ = end.compareExchange(expected: 0, desired: how == .endOfInput ? 2 : 1, ordering: .releasing)
    }

    /// The end asked for, or nil while the pipeline should keep running. Acquiring: every
    /// push a producer made before the request is visible after this returns non-nil.
    var requestedEnd: PipelineEnd? {
        switch end.load(ordering: .acquiring) {
        case 0: return nil
        case 2: return .endOfInput
        default: return .stop
        }
    }

    /// Whether an end has been asked for (for producers waiting for room).
    var isStopping: Bool { end.load(ordering: .relaxed) != 0 }

    func requestReopen() { reopen.store(true, ordering: .relaxed) }

    /// Whether a reopen was asked for since the last call (clears the request).
    func takeReopenRequest() -> Bool { reopen.exchange(false, ordering: .relaxed) }

    var retentionDays: Int {
        get { retention.load(ordering: .relaxed) }
        set { retention.store(newValue, ordering: .relaxed) }
    }

    // MARK: observations (aggregator → any thread)

    /// Wall-clock ms of the aggregator loop's last turn.
    var heartbeatMs: Int64 {
        get { heartbeat.load(ordering: .relaxed) }
        set { heartbeat.store(newValue, ordering: .relaxed) }
    }

    /// Why producers cannot write the write-ahead log right now (nil when they can).
    var logError: String? {
        get { logFailure.withLock { $0 } }
        set { logFailure.withLock { $0 = newValue } }
    }

    var status: PipelineStatus {
        get { latest.withLock { $0 } }
        set { latest.withLock { $0 = newValue } }
    }
}
