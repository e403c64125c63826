import Testing
import TelemetryCore
@testable import TelemetryDaemon

/// The metric names, types and values `/metrics` shows (`DaemonMetrics`).
@Suite struct DaemonMetricsTests {
    func status(_ change: (inout PipelineStatus) -> Void = { _ in }) -> PipelineStatus {
        var s = PipelineStatus(mode: "run", startedMs: 1_795_500_000_000, updatedMs: 1_795_500_010_000)
        change(&s)
        return s
    }

    func text(_ metrics: DaemonMetrics, _ sample: DaemonMetrics.Sample) -> String {
        String(decoding: metrics.exposition(sample), as: UTF8.self)
    }

    func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test func everyMetricHasTheTelemetrydPrefixAHelpLineAndAType() {
        let metrics = DaemonMetrics(windows: ["10s"], connections: [(0, "127.0.0.1:1883")])
        let out = text(metrics, .init(status: status(), nowMs: 1_795_500_010_000))
        let types = lines(out, "# TYPE ")
        #expect(types.count >= 25)
        for line in types {
            let parts = line.split(separator: " ")
            #expect(parts[2].hasPrefix("telemetryd_"), "\(line)")
            #expect(out.contains("# HELP \(parts[2]) "), "\(line)")
            if parts[3] == "counter" { #expect(parts[2].hasSuffix("_total"), "\(line)") }
        }
        for name in ["messages_total", "readings_total", "duplicates_total", "gaps_total", "too_late_total", "dropped_total",
                     "blocked_total", "rollups_written_total"] {
            #expect(out.contains("# TYPE telemetryd_\(name) counter"), "\(name)")
        }
        for name in ["ring_used_readings", "ring_high_water_readings", "open_windows", "series", "devices",
                     "wal_records_since_checkpoint", "checkpoint_age_seconds", "broker_connected"] {
            #expect(out.contains("# TYPE telemetryd_\(name) gauge"), "\(name)")
        }
        #expect(out.contains("# TYPE telemetryd_rollup_write_duration_seconds histogram"))
    }

    @Test func deadLettersHaveASeriesForEveryReasonFromTheFirstScrape() {
        let metrics = DaemonMetrics(windows: [], connections: [])
        let out = text(metrics, .init(status: status { $0.deadLettersByReason[.badJSON] = 3 }, nowMs: 0))
        let series = lines(out, "telemetryd_dead_letters_total{")
        #expect(series.count == RejectReason.allCases.count)
        #expect(series.contains("telemetryd_dead_letters_total{reason=\"bad_json\"} 3"))
        #expect(series.contains("telemetryd_dead_letters_total{reason=\"too_late\"} 0"))
    }

    @Test func aCounterShowsItsSourcesValueAcrossScrapes() {
        let metrics = DaemonMetrics(windows: ["1m"], connections: [])
        _ = text(metrics, .init(status: status { $0.received = 10; $0.lateByWindow["1m"] = 1 }, nowMs: 0))
        let out = text(metrics, .init(status: status { $0.received = 25; $0.lateByWindow["1m"] = 4 }, nowMs: 0))
        #expect(lines(out, "telemetryd_messages_total ") == ["telemetryd_messages_total 25"])
        #expect(lines(out, "telemetryd_late_readings_total{") == ["telemetryd_late_readings_total{window=\"1m\"} 4"])
    }

    @Test func gaugesShowTheRingWindowsAndCheckpointLag() {
        let metrics = DaemonMetrics(windows: [], connections: [])
        let out = text(metrics, .init(status: status {
            $0.ringInUse = 7; $0.ringHighWater = 900; $0.ringCapacity = 65_536; $0.openWindows = 12
            $0.walRecordsSinceCheckpoint = 42; $0.lastCheckpointMs = 1_795_500_004_000
        }, nowMs: 1_795_500_010_500))
        #expect(lines(out, "telemetryd_ring_used_readings ") == ["telemetryd_ring_used_readings 7.0"])
        #expect(lines(out, "telemetryd_ring_high_water_readings ") == ["telemetryd_ring_high_water_readings 900.0"])
        #expect(lines(out, "telemetryd_open_windows ") == ["telemetryd_open_windows 12.0"])
        #expect(lines(out, "telemetryd_wal_records_since_checkpoint ") == ["telemetryd_wal_records_since_checkpoint 42.0"])
        #expect(lines(out, "telemetryd_checkpoint_age_seconds ") == ["telemetryd_checkpoint_age_seconds 6.5"])
    }

    @Test func eachConnectionHasItsStateReconnectsAndMessagesLabelledByConnectionAndBroker() {
        let metrics = DaemonMetrics(windows: [], connections: [(0, "10.0.0.1:1883"), (1, "10.0.0.2:8883")])
        let out = text(metrics, .init(status: status(), connections: [
            .init(index: 0, broker: "10.0.0.1:1883", connected: true, reconnects: 2, messages: 500),
            .init(index: 1, broker: "10.0.0.2:8883", connected: false, reconnects: 0, messages: 0),
        ], nowMs: 0))
        #expect(out.contains("telemetryd_broker_connected{connection=\"0\",broker=\"10.0.0.1:1883\"} 1.0"))
        #expect(out.contains("telemetryd_broker_connected{connection=\"1\",broker=\"10.0.0.2:8883\"} 0.0"))
        #expect(out.contains("telemetryd_broker_reconnects_total{connection=\"0\",broker=\"10.0.0.1:1883\"} 2"))
        #expect(out.contains("telemetryd_connection_messages_total{connection=\"0\",broker=\"10.0.0.1:1883\"} 500"))
    }

    @Test func rollupWriteLatencyIsAHistogramInSeconds() {
        let metrics = DaemonMetrics(windows: [], connections: [])
        metrics.recordRollupWrite(.microseconds(300))
        metrics.recordRollupWrite(.milliseconds(20))
        let out = text(metrics, .init(status: status(), nowMs: 0))
        #expect(out.contains("telemetryd_rollup_write_duration_seconds_bucket{le=\"0.0005\"} 1"))
        #expect(out.contains("telemetryd_rollup_write_duration_seconds_bucket{le=\"+Inf\"} 2"))
        #expect(out.contains("telemetryd_rollup_write_duration_seconds_count 2"))
    }
}
