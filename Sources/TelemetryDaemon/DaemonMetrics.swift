import Prometheus
import Synchronization
import TelemetryCore

/// The one home of telemetryd's Prometheus metrics: their names, types, units, labels and
/// help text, and how each is read off the pipeline.
///
/// Nothing here is on the ingest hot path. The counters already kept for status.json
/// (`PipelineCounters`, the aggregator's `PipelineStatus` snapshot, each connection's
/// `BrokerConnectionState`) are copied into swift-prometheus collectors at scrape time
/// (`exposition(_:)`): a Prometheus counter only grows, so each is advanced by what its source
/// grew since the last scrape. The one metric recorded as it happens is the rollup write
/// latency histogram, once per batch of rollups appended to the files (aggregator thread).
///
/// Names follow Prometheus conventions: the `telemetryd_` prefix, `_total` on counters,
/// base units (`_seconds`), snake_case labels (`reason`, `window`, `connection`, `broker`).
///
/// Invariants: every collector is registered once, in `init`, so a scrape always shows the
/// same series (dead letters for every reason, late readings for every window size, every
/// planned connection), zero until something happens.
/// Threading: `Sendable`. The registry and collectors are thread-safe; the last copied values
/// are behind a `Mutex`, so concurrent scrapes advance each counter exactly once.
package final class DaemonMetrics: Sendable {
    /// What one scrape reads: the pipeline's latest snapshot with the producers' live counters
    /// laid over it, and the connections.
    package struct Sample: Sendable {
        package var status: PipelineStatus
        package var connections: [Connection]
        /// Wall clock of the scrape, epoch ms (for ages).
        package var nowMs: Int64

        package init(status: PipelineStatus, connections: [Connection] = [], nowMs: Int64) {
            self.status = status
            self.connections = connections
            self.nowMs = nowMs
        }
    }

    /// One MQTT connection as a scrape sees it.
    package struct Connection: Sendable, Equatable {
        package var index: Int
        package var broker: String
        package var connected: Bool
        package var reconnects: Int
        package var messages: Int

        package init(index: Int, broker: String, connected: Bool, reconnects: Int, messages: Int) {
            self.index = index
            self.broker = broker
            self.connected = connected
            self.reconnects = reconnects
            self.messages = messages
        }
    }

    /// A counter and what its source showed at the last scrape.
    private struct Copied {
        let counter: Counter
        var last = 0
    }

    private let registry = PrometheusCollectorRegistry()
    /// Counters by name + label values (`telemetryd_dead_letters_total/bad_json`).
    private let counters: Mutex<[String: Copied]>
    private let gauges: [String: Gauge]
    private let rollupWrite: DurationHistogram

    /// Upper bounds of the rollup write latency buckets.
    package static let rollupWriteBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    ]

    /// Counters copied from `PipelineStatus`: name (after `telemetryd_`, before `_total`), help, value.
    private static let statusCounters: [(name: String, help: String, value: @Sendable (PipelineStatus) -> Int)] = [
        ("messages", "MQTT messages received (all connections, and those replayed from the write-ahead log at start-up).", { $0.received }),
        ("readings", "Readings decoded from accepted messages and queued for aggregation.", { $0.readings }),
        ("readings_accepted", "Readings folded into windows (not duplicates, not too late).", { $0.accepted }),
        ("dead_letters_dropped", "Dead letters counted but not written because the dead-letter buffer was full.", { $0.deadLettersDropped }),
        ("duplicates", "Messages recognised as duplicates by their seq.", { $0.duplicates }),
        ("duplicate_readings", "Readings of duplicate messages, not aggregated.", { $0.duplicateReadings }),
        ("gaps", "Gaps in a device's seq (messages that never arrived).", { $0.gaps }),
        ("device_restarts", "Times a device's seq started again from a lower value.", { $0.deviceRestarts }),
        ("too_late", "Readings that arrived after their window was written (dead-lettered as too_late).", { $0.tooLate }),
        ("dropped", "Messages dropped because the ring was full (ring.overflow: drop_newest).", { $0.dropped }),
        ("blocked", "Times an ingest thread had to wait for room in the ring (ring.overflow: block).", { $0.blocked }),
        ("rollups_written", "Rollup rows appended to the rollup files.", { $0.rollupsWritten }),
        ("windows_reopened", "Windows written again because readings came after their device had gone quiet.", { $0.reopenedWindows }),
    ]

    /// Gauges read off `PipelineStatus` (nil: not known, left as it was).
    private static let statusGauges: [(name: String, help: String, value: @Sendable (PipelineStatus, Int64) -> Double?)] = [
        ("ring_capacity_readings", "Readings the ring between the ingest threads and the aggregator holds.", { s, _ in Double(s.ringCapacity) }),
        ("ring_used_readings", "Readings waiting in the ring.", { s, _ in Double(s.ringInUse) }),
        ("ring_high_water_readings", "Most readings seen waiting in the ring since start.", { s, _ in Double(s.ringHighWater) }),
        ("open_windows", "Windows open in memory.", { s, _ in Double(s.openWindows) }),
        ("series", "Distinct (site, device, metric) series known.", { s, _ in Double(s.series) }),
        ("devices", "Distinct (site, device) pairs known.", { s, _ in Double(s.devices) }),
        ("wal_records_since_checkpoint", "Messages in the write-ahead log after the last checkpoint (what a crash now would replay).", { s, _ in s.walRecordsSinceCheckpoint.map(Double.init) }),
        ("checkpoint_age_seconds", "Seconds since the last checkpoint of open windows and log position.", { s, now in s.lastCheckpointMs.map { Double(max(now - $0, 0)) / 1_000 } }),
        ("status_age_seconds", "Seconds since the aggregator last refreshed the values these metrics are read from.", { s, now in Double(max(now - s.updatedMs, 0)) / 1_000 }),
        ("start_time_seconds", "When this telemetryd started, in seconds since the Unix epoch.", { s, _ in Double(s.startedMs) / 1_000 }),
    ]

    static let deadLettersHelp = "Messages (and too-late readings) dead-lettered, by reason."
    static let lateByWindowHelp = "Readings too late for a window of this size, by window."
    static let connectedHelp = "Whether the MQTT connection is up (1) or not (0)."
    static let reconnectsHelp = "Times the MQTT connection was made again after the first."
    static let connectionMessagesHelp = "MQTT messages received on this connection."

    /// Registers every metric: dead letters for each `RejectReason`, late readings for each
    /// of `windows`, and the broker metrics for each of `connections` (index, `host:port`).
    package init(windows: [String], connections: [(index: Int, broker: String)]) {
        var copied: [String: Copied] = [:]
        var gauges: [String: Gauge] = [:]
        for c in Self.statusCounters {
            copied[c.name] = Copied(counter: registry.makeCounter(descriptor: Self.counter(c.name, c.help)))
        }
        for reason in RejectReason.allCases {
            copied["dead_letters/" + reason.rawValue] = Copied(counter: registry.makeCounter(
                descriptor: Self.counter("dead_letters", Self.deadLettersHelp), labels: [("reason", reason.rawValue)]))
        }
        for window in windows {
            copied["late_by_window/" + window] = Copied(counter: registry.makeCounter(
                descriptor: Self.counter("late_readings", Self.lateByWindowHelp), labels: [("window", window)]))
        }
        for c in connections {
            let labels = [("connection", String(c.index)), ("broker", c.broker)]
            copied["reconnects/\(c.index)"] = Copied(counter: registry.makeCounter(
                descriptor: Self.counter("broker_reconnects", Self.reconnectsHelp), labels: labels))
            copied["connection_messages/\(c.index)"] = Copied(counter: registry.makeCounter(
                descriptor: Self.counter("connection_messages", Self.connectionMessagesHelp), labels: labels))
            gauges["broker_connected/\(c.index)"] = registry.makeGauge(
                descriptor: Self.gauge("broker_connected", Self.connectedHelp), labels: labels)
        }
        for g in Self.statusGauges { gauges[g.name] = registry.makeGauge(descriptor: Self.gauge(g.name, g.help)) }
        self.gauges = gauges
        counters = Mutex(copied)
        rollupWrite = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "telemetryd", metricName: "rollup_write_duration", unitName: "seconds",
                helpText: "Time to append one batch of closed rollups to the rollup files (before the periodic fsync)."),
            labels: [], buckets: Self.rollupWriteBuckets)
    }

    /// Records one append of rollups to the files (aggregator thread, once per batch).
    package func recordRollupWrite(_ duration: Duration) { rollupWrite.record(duration) }

    /// The text exposition format (version 0.0.4) of every metric, after copying `sample` in.
    package func exposition(_ sample: Sample) -> [UInt8] {
        let s = sample.status
        counters.withLock { copied in
            func advance(_ key: String, to value: Int) {
                guard var c = copied[key] else { return }
                if value > c.last { c.counter.increment(by: Int64(value - c.last)) }
                c.last = max(value, c.last)
                copied[key] = c
            }
            for c in Self.statusCounters { advance(c.name, to: c.value(s)) }
            for reason in RejectReason.allCases { advance("dead_letters/" + reason.rawValue, to: s.deadLettersByReason[reason] ?? 0) }
            for (window, n) in s.lateByWindow { advance("late_by_window/" + window, to: n) }
            for c in sample.connections {
                advance("reconnects/\(c.index)", to: c.reconnects)
                advance("connection_messages/\(c.index)", to: c.messages)
            }
        }
        for g in Self.statusGauges { if let v = g.value(s, sample.nowMs) { gauges[g.name]?.set(v) } }
        for c in sample.connections { gauges["broker_connected/\(c.index)"]?.set(c.connected ? 1.0 : 0.0) }
        var out: [UInt8] = []
        out.reserveCapacity(8_192)
        registry.emit(into: &out)
        return out
    }

    /// The media type of `exposition(_:)`.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private static func counter(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "telemetryd", metricName: name, unitName: "total", helpText: help)
    }

    /// A gauge's descriptor; its unit, if any, is already part of `name`.
    private static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "telemetryd", metricName: name, unitName: "", helpText: help)
    }
}

extension DaemonMetrics.Sample {
    /// What a scrape of a running pipeline reads: its latest status snapshot, with the counters
    /// the ingest threads keep live (messages, readings, dropped, blocked, their dead letters)
    /// read now, and each connection's state.
    init(pipeline: IngestPipeline, connections: [BrokerConnectionState], nowMs: Int64) {
        var s = pipeline.status
        let counters = pipeline.counters
        s.received = counters.received
        s.readings = counters.readings
        s.dropped = counters.dropped
        s.blocked = counters.blocked
        for reason in RejectReason.allCases where reason != .tooLate {
            let n = counters.rejectedCount(reason)
            if n > 0 { s.deadLettersByReason[reason] = n }
        }
        self.init(
            status: s,
            connections: connections.map {
                DaemonMetrics.Connection(
                    index: $0.index, broker: $0.broker, connected: $0.connected, reconnects: $0.reconnects,
                    messages: $0.messages.count)
            },
            nowMs: nowMs)
    }
}
