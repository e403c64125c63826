import Foundation
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage
import TelemetryTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// 2026-11-24T06:00:00Z, an hour boundary: the captures below start a few minutes after it.
private let hour: Int64 = 1_795_500_000_000
private let sites = ["hanoi", "hcmc", "dongnai", "binhduong", "danang"]

/// Event time per device (issue 11): each device's windows close by its own watermark (the
/// largest event time of its accepted readings) plus the lateness, so a device's clock never
/// affects another device's windows; a device silent for `idle_close` of ingest clock gets its
/// due windows written; a reading late for its own device's watermark is `too_late`.
///
/// Every expectation on rollups compares them, merged by key (a window may be written as more
/// than one row after an idle close), with a naive computation from the capture text
/// (`ReferenceRollups`).
@Suite struct EventTimeTests {
    // MARK: Clocks

    @Test func oneFastClockLeavesEveryDevicesReadingsInTheirWindows() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // 22 devices, one message a second for 40 minutes; aq-fast's clock is 4 minutes fast
        // (inside limits.max_future_skew, 5 minutes).
        var capture = CaptureBuilder()
        var values = SeededValues(seed: 11)
        let start = hour + 300_000
        for second in 0..<2_400 {
            for d in 0..<22 {
                let arrival = start + Int64(second) * 1_000 + Int64(d) * 10
                let site = sites[d % sites.count]
                if d == 0 {
                    capture.json(arrivalMs: arrival, site: site, device: "aq-fast", tsMs: arrival + 240_000,
                                 metrics: [("pm25", values.next(5...80))])
                    continue
                }
                switch d % 3 {
                case 0:
                    capture.json(arrivalMs: arrival, site: site, device: "aq-\(d)", tsMs: arrival,
                                 metrics: [("pm25", values.next(5...80))])
                case 1:
                    capture.jsonISO(arrivalMs: arrival, site: site, device: "pm-\(d)", tsMs: arrival,
                                    metrics: [("voltage", values.next(215...235))])
                default:
                    capture.value(arrivalMs: arrival, site: site, device: "wl-\(d)", metric: "level", values.next(0...3))
                }
            }
        }
        let data = dir.path + "/data"
        let summary = try await replay([capture.write(dir)], dataDir: data)
        #expect(summary.messages == 52_800)
        #expect(summary.deadLetters == 0)

        let expected = ReferenceRollups.compute(captureLines: capture.lines, windows: DaemonConfiguration().windows)
        let problems = MergedRollup.differences(try RollupFiles.read(data).rows, expected: expected)
        #expect(problems.isEmpty, "\(MergedRollup.summary(problems))")
        let status = try StatusFile(dataDir: data)
        #expect(status.tooLate == 0)
        #expect(status.lateByWindow.values.allSatisfy { $0 == 0 }, "late_by_window: \(status.lateByWindow)")
    }

    @Test func aMessageFourMinutesAheadFromOnePLCLeavesTheOtherPLCsMinutesFull() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Three PLCs, one message a second for five whole minutes; plc-1 sends one extra
        // message stamped four minutes ahead.
        var capture = CaptureBuilder()
        var values = SeededValues(seed: 2)
        let start = hour + 300_000  // 06:05:00Z
        for second in 0..<300 {
            for d in 1...3 {
                let arrival = start + Int64(second) * 1_000 + Int64(d) * 100
                capture.json(arrivalMs: arrival, site: "dongnai", device: "plc-\(d)", tsMs: arrival,
                             metrics: [("power", values.next(10...90))])
            }
        }
        let ahead = start + 120_500
        capture.json(arrivalMs: ahead, site: "dongnai", device: "plc-1", tsMs: ahead + 240_000, metrics: [("power", 50)])
        let data = dir.path + "/data"
        _ = try await replay([capture.write(dir)], dataDir: data)

        let merged = MergedRollup.merge(try RollupFiles.read(data).rows)
        for device in ["plc-2", "plc-3"] {
            let minutes = merged.filter { $0.key.device == device && $0.key.window == "1m" }
            #expect(minutes.count == 5, "\(device): \(minutes.count) one-minute windows")
            for (key, rollup) in minutes {
                #expect(rollup.count == 60, "\(device) \(UTCTimestamp.format(milliseconds: key.startMs)): \(rollup.count) readings")
            }
        }
        let expected = ReferenceRollups.compute(captureLines: capture.lines, windows: DaemonConfiguration().windows)
        let problems = MergedRollup.differences(
            try RollupFiles.read(data).rows, expected: expected, include: { $0.device != "plc-1" })
        #expect(problems.isEmpty, "\(MergedRollup.summary(problems))")
    }

    @Test func aSlowClockLeavesEveryReadingInItsWindows() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Six devices, one message a second for 20 minutes; aq-slow's clock is 10 minutes behind.
        var capture = CaptureBuilder()
        var values = SeededValues(seed: 3)
        let start = hour + 900_000
        for second in 0..<1_200 {
            for d in 0..<6 {
                let arrival = start + Int64(second) * 1_000 + Int64(d) * 10
                let device = d == 0 ? "aq-slow" : "aq-\(d)"
                let ts = d == 0 ? arrival - 600_000 : arrival
                capture.json(arrivalMs: arrival, site: sites[d % sites.count], device: device, tsMs: ts,
                             metrics: [("pm25", values.next(5...80)), ("humidity", values.next(40...95))])
            }
        }
        let data = dir.path + "/data"
        let summary = try await replay([capture.write(dir)], dataDir: data)
        #expect(summary.deadLetters == 0)

        let expected = ReferenceRollups.compute(captureLines: capture.lines, windows: DaemonConfiguration().windows)
        let problems = MergedRollup.differences(try RollupFiles.read(data).rows, expected: expected)
        #expect(problems.isEmpty, "\(MergedRollup.summary(problems))")
        let status = try StatusFile(dataDir: data)
        #expect(status.tooLate == 0)
        #expect(status.lateByWindow.values.allSatisfy { $0 == 0 }, "late_by_window: \(status.lateByWindow)")
    }

    // MARK: Store and forward

    /// A gateway publishing every second goes silent for 30 minutes mid-window (the other
    /// devices carry on), then uploads its 1,800 buffered readings in order with their
    /// original ts over about 20 s of arrival time, then carries on live.
    private func backlogCapture() -> CaptureBuilder {
        var capture = CaptureBuilder()
        var values = SeededValues(seed: 4)
        let end = hour + 3_000_000
        var seq = 0
        func gateway(_ arrival: Int64, _ ts: Int64) {
            seq += 1
            capture.json(arrivalMs: arrival, site: "binhduong", device: "gw-1", tsMs: ts,
                         metrics: [("temperature", values.next(20...40)), ("pressure", values.next(1...5))], seq: seq)
        }
        // Live until 06:14:54 (inside the 10 s window 06:14:50 and the minute 06:14).
        for t in stride(from: hour + 300_000, through: hour + 894_000, by: 1_000) { gateway(t, t) }
        // Buffered while the link is down: ts 06:14:55 … 06:44:54, uploaded from 06:44:55.
        for i in 0..<1_800 {
            gateway(hour + 2_695_000 + Int64(i) * 11, hour + 895_000 + Int64(i) * 1_000)
        }
        for t in stride(from: hour + 2_715_000, through: end, by: 1_000) { gateway(t, t) }
        for d in 1...3 {
            for t in stride(from: hour + 300_000 + Int64(d) * 10, through: end, by: 1_000) {
                if d == 3 {
                    capture.value(arrivalMs: t, site: "binhduong", device: "wl-\(d)", metric: "level", values.next(0...3))
                } else {
                    capture.json(arrivalMs: t, site: "binhduong", device: "pm-\(d)", tsMs: t,
                                 metrics: [("power", values.next(10...90))])
                }
            }
        }
        return capture
    }

    @Test func aThirtyMinuteBacklogIsCountedOnceWithTheDefaultIdleClose() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = backlogCapture()
        let data = dir.path + "/data"
        let summary = try await replay([capture.write(dir)], dataDir: data)
        #expect(summary.deadLetters == 0)

        let expected = ReferenceRollups.compute(captureLines: capture.lines, windows: DaemonConfiguration().windows)
        let problems = MergedRollup.differences(try RollupFiles.read(data).rows, expected: expected)
        #expect(problems.isEmpty, "\(MergedRollup.summary(problems))")
        #expect(try StatusFile(dataDir: data).tooLate == 0)
    }

    @Test func aThirtyMinuteBacklogIsCountedOnceInOneRowPerWindowWithIdleCloseOff() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = backlogCapture()
        let data = dir.path + "/data"
        let summary = try await replay([capture.write(dir)], dataDir: data) { $0.idleCloseMs = nil }
        #expect(summary.deadLetters == 0)

        let rows = try RollupFiles.read(data).rows
        let expected = ReferenceRollups.compute(captureLines: capture.lines, windows: DaemonConfiguration().windows)
        let problems = MergedRollup.differences(rows, expected: expected)
        #expect(problems.isEmpty, "\(MergedRollup.summary(problems))")
        #expect(try StatusFile(dataDir: data).tooLate == 0)
        let split = MergedRollup.merge(rows).filter { $0.value.rows > 1 }
        #expect(split.isEmpty, "without idle close no window is written twice: \(split.keys.prefix(3))")
    }

    @Test func theBacklogsShareOfAWindowIdleCloseWroteDuringTheOutageIsAFurtherRow() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        _ = try await replay([backlogCapture().write(dir)], dataDir: data)

        // 06:14:50–06:15:00 and the minute 06:14 were open when the gateway went quiet: idle
        // close wrote what they held (5 and 55 readings); the backlog's readings for them
        // (06:14:55–06:14:59) come after, in a row of their own.
        let rows = try RollupFiles.read(data).rows.filter { $0.device == "gw-1" && $0.metric == "temperature" }
        #expect(rows.filter { $0.window == "10s" && $0.start == UTCTimestamp.format(milliseconds: hour + 890_000) }
            .map(\.count) == [5, 5])
        #expect(rows.filter { $0.window == "1m" && $0.start == UTCTimestamp.format(milliseconds: hour + 840_000) }
            .map(\.count) == [55, 5])
    }

    // MARK: Lateness

    @Test func outOfOrderWithinLatenessIsTakenAndBeyondItIsTooLateForThatDeviceOnly() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // plc-a keeps time; plc-b is two minutes slow. Both publish once a second across 07:00.
        var capture = CaptureBuilder()
        var values = SeededValues(seed: 5)
        for second in 0...40 {
            let arrival = hour + 3_590_000 + Int64(second) * 1_000
            capture.json(arrivalMs: arrival, site: "hanoi", device: "plc-a", tsMs: arrival, metrics: [("pm25", values.next(5...80))])
            capture.json(arrivalMs: arrival + 200, site: "hanoi", device: "plc-b", tsMs: arrival + 200 - 120_000,
                         metrics: [("pm25", values.next(5...80))])
        }
        // 3 s behind plc-a's watermark (07:00:10): within the 5 s lateness for every window.
        capture.json(arrivalMs: hour + 3_610_500, site: "hanoi", device: "plc-a", tsMs: hour + 3_607_500, metrics: [("pm25", 12.5)])
        // 06:58:20 when plc-a is at 07:00:21: even its hour 06 closed (07:00:05). plc-b's
        // readings stamped 06:58:20 at the same time are in order for plc-b.
        let tooLateTs = hour + 3_500_000
        let tooLate = capture.add(
            arrivalMs: hour + 3_621_500, topic: "vn/hanoi/plc-a/telemetry", payload: "{\"ts\":\(tooLateTs),\"pm25\":99.5}")
        let data = dir.path + "/data"
        let summary = try await replay([capture.write(dir)], dataDir: data)
        #expect(summary.deadLetters == 1)

        #expect(try StatusFile(dataDir: data).tooLate == 1)
        let letters = try deadLetters(data)
        #expect(letters.count == 1)
        let letter = try #require(letters.first)
        #expect(letter["reason"] as? String == "too_late")
        #expect(letter["topic"] as? String == "hanoi/plc-a")
        let payload = letter["payload"] as? String ?? ""
        #expect(payload.contains("\"metric\":\"pm25\""), "\(payload)")
        #expect(payload.contains("\"ts\":\"\(UTCTimestamp.format(milliseconds: tooLateTs))\""), "\(payload)")

        let rows = try RollupFiles.read(data).rows
        let expected = ReferenceRollups.compute(
            captureLines: capture.lines.filter { $0 != tooLate }, windows: DaemonConfiguration().windows)
        let problems = MergedRollup.differences(rows, expected: expected)
        #expect(problems.isEmpty, "\(MergedRollup.summary(problems))")
        #expect(rows.filter { $0.device == "plc-b" && $0.window == "10s" }.map(\.count).reduce(0, +) == 41)
    }

    // MARK: Idle close

    @Test func aDeviceThatStopsGetsItsLastWindowsWrittenIdleCloseAfterItsLastMessage() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Four lines publish every second from 06:05:00 to 06:25:00; "quiet" stops at
        // 06:07:05.050, in the 10 s window 06:07:00 and the minute 06:07.
        var capture = CaptureBuilder()
        var values = SeededValues(seed: 6)
        for second in 0...1_200 {
            let t = hour + 300_000 + Int64(second) * 1_000
            for d in 1...4 {
                capture.json(arrivalMs: t + Int64(d) * 10, site: "hcmc", device: "line-\(d)", tsMs: t + Int64(d) * 10,
                             metrics: [("speed", values.next(0...5))])
            }
            if second <= 125 {
                capture.json(arrivalMs: t + 50, site: "hcmc", device: "quiet", tsMs: t + 50, metrics: [("speed", values.next(0...5))])
            }
        }
        let data = dir.path + "/data"
        _ = try await replay([capture.write(dir)], dataDir: data)

        let expected = ReferenceRollups.compute(captureLines: capture.lines, windows: DaemonConfiguration().windows)
        let problems = MergedRollup.differences(try RollupFiles.read(data).rows, expected: expected)
        #expect(problems.isEmpty, "\(MergedRollup.summary(problems))")

        // Positions in the order the rollups were written: quiet's last 10 s window (06:07:00)
        // is due when idle_close (30 s) has passed since its last message (06:07:35.050, its
        // clock then at 06:07:35.050 > end + lateness); the other lines' 06:07:30 window is due
        // at 06:07:45 and their 06:07:50 window at 06:08:05.
        func positions(_ window: String) throws -> [(start: Int64, device: String)] {
            let files = FileSystem.files(below: data + "/rollups/" + window).filter { $0.hasSuffix(".jsonl") }
            try #require(files.count == 1, "\(files)")
            return try String(contentsOfFile: files[0], encoding: .utf8).split(separator: "\n").map { line in
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                return (UTCTimestamp.parse(o["start"] as! String)!, o["device"] as! String)
            }
        }
        let tens = try positions("10s")
        let quietLast = try #require(tens.firstIndex { $0.device == "quiet" && $0.start == hour + 420_000 })
        let othersBefore = tens.indices.filter { tens[$0].device != "quiet" && tens[$0].start == hour + 430_000 }
        let othersAfter = tens.indices.filter { tens[$0].device != "quiet" && tens[$0].start == hour + 450_000 }
        #expect(othersBefore.count == 4 && othersAfter.count == 4)
        #expect(othersBefore.allSatisfy { $0 < quietLast }, "written before idle_close had passed")
        #expect(othersAfter.allSatisfy { $0 > quietLast }, "not written when idle_close had passed")
        // Its last minute (06:07) is due at 06:08:05 on its extrapolated clock; the others' 06:08
        // minute at 06:09:05.
        let minutes = try positions("1m")
        let quietMinute = try #require(minutes.firstIndex { $0.device == "quiet" && $0.start == hour + 420_000 })
        let nextMinute = minutes.indices.filter { minutes[$0].device != "quiet" && minutes[$0].start == hour + 480_000 }
        #expect(nextMinute.count == 4)
        #expect(nextMinute.allSatisfy { $0 > quietMinute }, "quiet's last minute waited for the end of the capture")
    }

    // MARK: Determinism

    @Test func theSameCaptureGivesByteIdenticalFilesForAnyRingSizeOrReadBlock() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var capture = CaptureBuilder()
        var values = SeededValues(seed: 7)
        var seq = 0
        for second in 0...1_200 {
            let t = hour + 300_000 + Int64(second) * 1_000
            // Out of order: every 37th reading of aq-1 arrives 3 s late, every 101st 20 s late
            // (too late for its 10 s window only).
            let delay: Int64 = second % 101 == 0 ? 20_000 : second % 37 == 0 ? 3_000 : 0
            capture.json(arrivalMs: t + 10 + delay, site: "hanoi", device: "aq-1", tsMs: t + 10,
                         metrics: [("pm25", values.next(5...80)), ("humidity", values.next(40...95))])
            capture.jsonISO(arrivalMs: t + 20, site: "hcmc", device: "pm-2", tsMs: t + 20,
                            metrics: [("voltage", values.next(215...235))])
            capture.value(arrivalMs: t + 30, site: "danang", device: "wl-3", metric: "level", values.next(0...3))
            capture.add(arrivalMs: t + 40, topic: "vn/danang/influx",
                        payload: "water,device=wl-4 level=\(values.next(0...3)),flow=\(values.next(0...9)) \((t + 40) * 1_000_000)")
            if second <= 300 {  // quiet from 06:10 on
                capture.json(arrivalMs: t + 50, site: "hcmc", device: "quiet-5", tsMs: t + 50, metrics: [("speed", values.next(0...5))])
            }
            // A gateway: live, silent 06:11:40–06:20:00 while it buffers, uploads, carries on.
            if second < 400 || second >= 905 {
                seq += 1
                capture.json(arrivalMs: t + 60, site: "binhduong", device: "gw-6", tsMs: t + 60,
                             metrics: [("temperature", values.next(20...40))], seq: seq)
            }
            if second == 900 {
                for i in 0..<500 {
                    seq += 1
                    capture.json(arrivalMs: t + 60 + Int64(i) * 10, site: "binhduong", device: "gw-6",
                                 tsMs: hour + 300_000 + Int64(400 + i) * 1_000 + 60,
                                 metrics: [("temperature", values.next(20...40))], seq: seq)
                }
            }
            if second == 600 {
                capture.add(arrivalMs: t + 70, topic: "vn/hanoi/aq-1/telemetry", payload: "{\"pm25\":")
                capture.add(arrivalMs: t + 80, topic: "factory/a/b", payload: "{\"x\":1}")
                capture.json(arrivalMs: t + 90, site: "hanoi", device: "aq-1", tsMs: hour - 1_800_000, metrics: [("pm25", 1)])
            }
        }
        let path = capture.write(dir)
        let influx = try TopicTemplate(spec: "vn/{site}/influx influx")
        var outputs: [(String, [String: Data])] = []
        for (ring, block) in [(16, 61), (1_024, 4_096), (65_536, 4 << 20)] {
            let data = dir.path + "/data-\(ring)-\(block)"
            _ = try await replay(path, dataDir: data, ringCapacity: ring, blockSize: block) {
                $0.templates = TopicTemplate.defaults + [influx]
            }
            outputs.append(("ring \(ring), block \(block)", try fileContents(data, parts: ["rollups", "deadletter"])))
        }
        let (_, first) = outputs[0]
        #expect(first.keys.contains { $0.hasPrefix("/rollups/") })
        #expect(first.keys.contains { $0.hasPrefix("/deadletter/") })
        for (name, files) in outputs.dropFirst() {
            #expect(files.keys.sorted() == first.keys.sorted(), "\(name): other files")
            for (path, bytes) in files.sorted(by: { $0.key < $1.key }) where first[path] != bytes {
                Issue.record("\(name): \(path) differs from \(outputs[0].0)")
            }
        }
    }

    // MARK: Configuration

    @Test func idleCloseIsATopLevelDurationThirtySecondsByDefault() async throws {
        #expect(try await ConfigurationLoader.load(file: nil, environment: false).idleCloseMs == 30_000)
        let c = try await ConfigurationLoader.load(file: nil, overrides: ["idle_close": "2s"], environment: false)
        #expect(c.idleCloseMs == 2_000)
    }

    @Test(arguments: ["off", "0s"])
    func idleCloseOffOrZeroDisablesIt(value: String) async throws {
        let c = try await ConfigurationLoader.load(file: nil, overrides: ["idle_close": value], environment: false)
        #expect(c.idleCloseMs == nil)
    }

    @Test func aBadIdleCloseNamesItsKey() async throws {
        do {
            _ = try await ConfigurationLoader.load(file: nil, overrides: ["idle_close": "soon"], environment: false)
            Issue.record("idle_close=soon was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == "idle_close")
            #expect(error.description.contains("soon"))
        }
    }
}

/// The quiet fleet, live: windows close without new traffic while the daemon runs.
@Suite(.serialized) struct QuietFleetLiveTests {
    @Test func aQuietFleetsWindowsAreWrittenWithoutFurtherTrafficOrAStop() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let daemon = try DaemonProcess(
            brokerPort: broker.port, dataDir: data, clientID: "quiet-\(UUID().uuidString.prefix(6))",
            environment: ["TELEMETRYD_WINDOWS": "1s,10s", "TELEMETRYD_LATENESS": "1s", "TELEMETRYD_IDLE_CLOSE": "2s"])
        try #require(await daemon.waitUntilReady(), "no READY=1; log:\n\(daemon.logText)")

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var messages: [(topic: String, payload: String)] = []
        for s in 0..<4 {
            for d in 0..<2 {
                let ts = now - 2_000 + Int64(s) * 500 + Int64(d) * 7
                messages.append(("vn/hanoi/quiet-\(d)/telemetry", "{\"ts\":\(ts),\"pm25\":\(Double(s * 10 + d) / 4)}"))
            }
        }
        try await publish(messages, port: broker.port)
        #expect(await waitForReceived(messages.count, dataDir: data), "log:\n\(daemon.logText)")

        // Nothing more is published; the windows must be written by idle close alone.
        let windows = ["1s", "10s"].map { WindowSize(parsing: $0)! }
        let expected = ReferenceRollups.compute(captureLines: messages.map { "0.0 \($0.topic) \($0.payload)" }, windows: windows)
        var problems = ["no rollup files read yet"]
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let rows = try? RollupFiles.read(data).rows {
                problems = MergedRollup.differences(rows, expected: expected)
                if problems.isEmpty { break }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(problems.isEmpty, "after 30 s: \(MergedRollup.summary(problems))\nlog:\n\(daemon.logText)")
        #expect(TestProcess.wait(daemon.pid, timeout: .zero) == nil, "the daemon must still be running")

        let query = try await Executables.run("telemetryctl", ["--data-dir", data, "query", "--window", "10s", "--format", "json"])
        #expect(query.status == 0, "\(query.stderr)")
        let counts = query.stdout.split(separator: "\n").compactMap { line -> Int? in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return o?["count"] as? Int
        }
        #expect(counts.reduce(0, +) == messages.count, "\(query.stdout)")
        #expect(await daemon.stop() == 0)
    }
}
