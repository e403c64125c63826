import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// libmosquitto 2.0.11 waits on its socket with select(), which breaks for descriptors ≥ 1024:
/// however many rollup files a backlog spans, the daemon must still reconnect and go on.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ManyFilesTests {
    /// Open descriptors of process `pid`.
    func openDescriptors(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test func aReconnectAfterWritingAThousandHourFilesStillDelivers() async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        let daemon = try DaemonProcess(
            brokerPort: broker.port, dataDir: data, clientID: "files-\(UUID().uuidString.prefix(6))",
            environment: ["TELEMETRYD_MQTT_RECONNECT_MIN": "1s", "TELEMETRYD_MQTT_RECONNECT_MAX": "1s"])
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        // One reading an hour for 400 hours: every window of every size closes into a file of
        // its own hour (3 files an hour).
        let base: Int64 = 1_790_000_000_000 - 1_790_000_000_000 % 3_600_000
        let lines = (0..<400).map { h in "{\"ts\":\(base + Int64(h) * 3_600_000),\"level\":\(h).5}" }
        let file = dir.write("backlog.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        try await TestProcess.run("/bin/sh", [
            "-c", "mosquitto_pub -h 127.0.0.1 -p \(broker.port) -q 1 -t vn/danang/gauge/telemetry -l < '\(file)'"])
        // 1,200 files created and synced: slow on a disk that other tests keep busy.
        #expect(await waitForReceived(400, dataDir: data, timeout: .seconds(60)), "log:\n\(daemon.logText)")
        // Received is not yet written: the aggregator writes the closed windows after it (and
        // a loaded machine can hold it back), so wait for the files themselves.
        var files = 0
        let written = ContinuousClock.now + .seconds(60)
        repeat {
            files = FileSystem.files(below: data + "/rollups").count
            if files > 1_000 { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < written
        #expect(files > 1_000, "\(files) rollup files")
        #expect(openDescriptors(daemon.pid) < 512, "descriptors stay far below select()'s 1024")

        broker.stop()
        try await broker.start()
        // The restarted broker has no session for the daemon: wait until it has subscribed again.
        let deadline = ContinuousClock.now + .seconds(30)
        while daemon.logText.components(separatedBy: "subscribed: ").count < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await TestProcess.mosquittoPub(
            port: broker.port, topic: "vn/danang/gauge/telemetry", message: "{\"ts\":\(base + 400 * 3_600_000),\"level\":1.5}")
        #expect(await waitForReceived(401, dataDir: data, timeout: .seconds(30)), "after the reconnect; log:\n\(daemon.logText)")
        #expect(await daemon.stop() == 0)
    }
}
