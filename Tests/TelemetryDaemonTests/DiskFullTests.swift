import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A disk that fills up under the daemon: nothing is acknowledged that could not be stored,
/// and nothing is lost or counted twice once space returns.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DiskFullTests {
    let baseMs: Int64 = {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let threeHoursAgo = now - 3 * 3_600_000
        return threeHoursAgo - threeHoursAgo % 3_600_000
    }()

    /// Writes zeros into `path` until the file system says it is full.
    func fill(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 16 << 10)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// A daemon whose data directory is a 4 MiB tmpfs: publishes 90 messages, fills the disk,
    /// publishes `during` more, waits for `sign` in the log, frees the disk, closes every
    /// window and stops; then the rollups must be exactly those of all the messages.
    /// `whileFull` checks the log while the disk is full.
    func throughAFullDisk(
        walSegmentBytes: Int, seconds during: Range<Int>, sign: String,
        whileFull: (DaemonProcess) -> Void, afterward: (DaemonProcess) -> Void = { _ in }
    ) async throws {
        let broker = try await TestBroker.started()
        defer { broker.stop() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let data = dir.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        guard "size=4m".withCString({ mount("tmpfs", data, "tmpfs", 0, $0) }) == 0 else {
            try Test.cancel("cannot mount a 4 MiB tmpfs (needs root): errno \(errno)")
        }
        defer { umount2(data, Int32(MNT_DETACH)) }
        let daemon = try DaemonProcess(
            brokerPort: broker.port, dataDir: data, clientID: "full-\(UUID().uuidString.prefix(6))",
            environment: ["TELEMETRYD_WAL_SEGMENT_SIZE": "\(walSegmentBytes)", "TELEMETRYD_CHECKPOINT_INTERVAL": "1s"])
        try #require(await daemon.waitUntilReady(), "log:\n\(daemon.logText)")
        let before = knownMessages(baseMs: baseMs, devices: 3, seconds: 0..<30)
        try await publish(before, port: broker.port)
        #expect(await waitForReceived(before.count, dataDir: data), "log:\n\(daemon.logText)")

        fill(data + "/filler")
        let full = knownMessages(baseMs: baseMs, devices: 3, seconds: during)
        try await publish(full, port: broker.port)
        let deadline = ContinuousClock.now + .seconds(20)
        while !daemon.logText.contains(sign), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        whileFull(daemon)

        unlink(data + "/filler")
        let closing = closers(for: before + full, baseMs + 2 * 3_600_000)
        try await publish(closing, port: broker.port)
        #expect(await waitForReceived(before.count + full.count + closing.count, dataDir: data, timeout: .seconds(40)),
                "log:\n\(daemon.logText)")
        afterward(daemon)
        #expect(await daemon.stop() == 0, "log:\n\(daemon.logText)")
        try expectRollupsMatch(before + full, dataDir: data)
    }

    @Test func aFullDiskAcknowledgesNothingItCannotStoreAndLosesNothingWhenSpaceReturns() async throws {
        // Small log segments: the log itself needs a new one while the disk is full.
        try await throughAFullDisk(
            walSegmentBytes: 65_536, seconds: 30..<180, sign: "No space left on device",
            whileFull: { daemon in
                #expect(daemon.logText.contains("messages are not acknowledged until the write-ahead log takes them again"),
                        "log:\n\(daemon.logText)")
            },
            afterward: { daemon in
                #expect(daemon.logText.contains("write-ahead log writable again"), "log:\n\(daemon.logText)")
            })
    }

    @Test func rollupsThatCannotBeWrittenAreKeptAndWrittenOnceWhenSpaceReturns() async throws {
        // The log's segment was reserved before the disk filled: messages are durable and
        // acknowledged; it is the rollup files that cannot grow. A write that fails part-way
        // must leave no half line, and the retry must not write a line twice.
        try await throughAFullDisk(
            walSegmentBytes: 1 << 20, seconds: 30..<120, sign: "rollups kept in memory and retried",
            whileFull: { daemon in
                #expect(daemon.logText.contains("rollups kept in memory and retried"), "log:\n\(daemon.logText)")
            })
    }
}
