import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// What a run leaves in devices.jsonl: one line per device, from the aggregator's own clocks.
@Suite struct DeviceHealthReplayTests {
    @Test func aReplayWritesEachDevicesClockOffsetAndCounts() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let t0: Int64 = 1_796_094_000_000
        var lines: [String] = []
        for s in 0..<120 {
            let arrival = t0 + Int64(s) * 1_000
            // plc-fast's clock is 4 minutes ahead; plc-ok's is right; one bad message from plc-ok.
            lines.append("\(Double(arrival) / 1000) vn/hanoi/plc-fast/telemetry {\"ts\":\(arrival + 240_000),\"seq\":\(s + 1),\"p\":\(s)}")
            lines.append("\(Double(arrival) / 1000) vn/hanoi/plc-ok/telemetry {\"ts\":\(arrival),\"seq\":\(s + 1),\"p\":\(s)}")
        }
        lines.append("\(Double(t0 + 120_000) / 1000) vn/hanoi/plc-ok/telemetry {not json")
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        _ = try await replay([capture], dataDir: dir.path + "/data")

        let file = try #require(try DeviceHealthFile(DataDirectory(dir.path + "/data")).read())
        #expect(file.malformed.count == 0)
        let devices = Dictionary(uniqueKeysWithValues: file.lines.map { ($0.health.device, $0.health) })
        let fast = try #require(devices["plc-fast"]), ok = try #require(devices["plc-ok"])
        #expect(fast.clockOffsetMs == 240_000)
        #expect(ok.clockOffsetMs == 0)
        #expect(fast.messages == 120 && fast.readings == 120 && ok.messages == 120)
        #expect(fast.lastArrivalMs == t0 + 119_000 && fast.lastEventMs == t0 + 359_000)
        #expect(fast.tooLate == 0 && fast.lateByWindow.values.allSatisfy { $0 == 0 })
        #expect(ok.deadLetters == 1, "the malformed message counts against its device")
        #expect(fast.deadLetters == 0)
        #expect(fast.openWindows == 0, "the end of a replay closes every window")
    }
}
