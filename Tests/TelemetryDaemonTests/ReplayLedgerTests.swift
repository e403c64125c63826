import Foundation
import Testing
import TelemetryTestSupport
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// Every file below `root` and its bytes: what "the files are unchanged" compares.
func snapshot(_ root: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for path in FileSystem.files(below: root) { files[path] = try Data(contentsOf: URL(fileURLWithPath: path)) }
    return files
}

/// A small clean capture; `seed` makes different captures.
private func writeCapture(_ dir: TemporaryDirectory, _ name: String, seed: UInt64) -> String {
    let lines = cleanCapture(seed: seed, devices: 3, messagesPerDevice: 30, startMs: 1_795_500_000_000)
    return dir.write(name, Array((lines.joined(separator: "\n") + "\n").utf8))
}

@Suite struct ReplayLedgerTests {
    @Test func aSecondReplayOfTheSameCaptureIsRefusedAndChangesNoFile() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = writeCapture(dir, "fleet.capture", seed: 1)
        let data = dir.path + "/data"
        _ = try await replay([capture], dataDir: data)
        let before = try snapshot(data)
        let error = await #expect(throws: (any Error).self) { try await replay([capture], dataDir: data) }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains(capture), "\(message)")
        #expect(message.contains("already replayed"), "\(message)")
        #expect(try snapshot(data) == before)
    }

    @Test func aRenamedCopyOfAReplayedCaptureIsRefused() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = writeCapture(dir, "fleet.capture", seed: 1)
        let copy = dir.path + "/copy-of-fleet.txt"
        try FileManager.default.copyItem(atPath: capture, toPath: copy)
        let data = dir.path + "/data"
        _ = try await replay([capture], dataDir: data)
        let before = try snapshot(data)
        let error = await #expect(throws: (any Error).self) { try await replay([copy], dataDir: data) }
        let message = "\(error.map { "\($0)" } ?? "")"
        #expect(message.contains(copy), "\(message)")
        #expect(message.contains(capture), "names the earlier replay too: \(message)")
        #expect(try snapshot(data) == before)
    }

    @Test func forceReplaysACaptureAgain() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = writeCapture(dir, "fleet.capture", seed: 1)
        let data = dir.path + "/data"
        let first = try await replay([capture], dataDir: data)
        let again = try await replay([capture], dataDir: data, force: true)
        #expect(again.rollups == first.rollups)
        #expect(try RollupFiles.read(data).rows.count == 2 * first.rollups)
        #expect(try ReplayLedger(directory: DataDirectory(data)).entries().count == 2)
    }

    @Test func theSameContentTwiceInOneReplayIsRefused() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = writeCapture(dir, "fleet.capture", seed: 1)
        let copy = dir.path + "/again.capture"
        try FileManager.default.copyItem(atPath: capture, toPath: copy)
        let data = dir.path + "/data"
        let error = await #expect(throws: ReplayError.self) { try await replay([capture, copy], dataDir: data) }
        #expect("\(error.map { "\($0)" } ?? "")".contains(copy))
        #expect(!FileManager.default.fileExists(atPath: data + "/rollups"))
    }

    @Test func aReplayThatCouldNotWriteItsOutputIsNotRecorded() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = writeCapture(dir, "fleet.capture", seed: 1)
        let data = dir.path + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: data + "/rollups", contents: Data())  // not a directory
        await #expect(throws: ReplayError.self) { try await replay([capture], dataDir: data) }
        #expect(try ReplayLedger(directory: DataDirectory(data)).entries().isEmpty)
    }

    @Test func aDifferentCaptureIsReplayedIntoTheSameDirectory() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let first = writeCapture(dir, "a.capture", seed: 1), second = writeCapture(dir, "b.capture", seed: 2)
        let data = dir.path + "/data"
        let one = try await replay([first], dataDir: data)
        let two = try await replay([second], dataDir: data)
        #expect(two.messages == one.messages)
        #expect(try RollupFiles.read(data).rows.count == one.rollups + two.rollups)
    }

    @Test func theCommandLineRefusesASecondReplayNamingTheFileAndWhen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = writeCapture(dir, "fleet.capture", seed: 1)
        let data = dir.path + "/data"
        let first = try await Executables.run("telemetryd", ["replay", capture, "--data-dir", data])
        #expect(first.status == 0, "\(first.stderr)")
        let before = try snapshot(data)
        let second = try await Executables.run("telemetryd", ["replay", capture, "--data-dir", data])
        #expect(second.status != 0)
        #expect(second.stderr.contains(capture), "\(second.stderr)")
        #expect(second.stderr.contains("already replayed"), "\(second.stderr)")
        #expect(second.stderr.contains("--force"), "\(second.stderr)")
        // When: the day of the first replay, in RFC 3339.
        #expect(second.stderr.contains(UTCTimestamp.dayString(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))))
        #expect(try snapshot(data) == before)
    }

    @Test func theCommandLineReplaysAgainWithForce() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let capture = writeCapture(dir, "fleet.capture", seed: 1)
        let data = dir.path + "/data"
        let first = try await Executables.run("telemetryd", ["replay", capture, "--data-dir", data])
        #expect(first.status == 0, "\(first.stderr)")
        let once = try RollupFiles.read(data).rows.count
        let forced = try await Executables.run("telemetryd", ["replay", capture, "--data-dir", data, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try RollupFiles.read(data).rows.count == 2 * once)
    }
}
