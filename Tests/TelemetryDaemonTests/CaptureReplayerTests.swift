import Logging
import Testing
import TelemetryCore
import TelemetryDaemon
import TelemetryStorage

/// Replays `capture` through a fresh pipeline with `blockSize`; returns the lines handled
/// and the final status.
private func replay(_ capture: String, dataDir: String, blockSize: Int) async throws -> (lines: Int, status: PipelineStatus) {
    var c = DaemonConfiguration()
    c.dataDirectory = DataDirectory(dataDir)
    let pipeline = try IngestPipeline(configuration: c, mode: .replay, logger: Logger(label: "test"))
    pipeline.start()
    let replayer = CaptureReplayer(producer: pipeline.makeProducer(), blockSize: blockSize)
    do {
        let lines = try replayer.replay(path: capture)
        return (lines, await pipeline.finish(.endOfInput))
    } catch {
        await pipeline.finish(.stop)
        throw error
    }
}

@Suite struct CaptureReplayerTests {
    @Test func linesLongerThanTheReadBlockAreReassembledWhole() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = cleanCapture(seed: 3, devices: 3, messagesPerDevice: 20, startMs: 1_795_500_000_000)
        let capture = dir.write("c.txt", Array((lines.joined(separator: "\n") + "\n").utf8))
        let small = try await replay(capture, dataDir: dir.path + "/small", blockSize: 16)
        let large = try await replay(capture, dataDir: dir.path + "/large", blockSize: 4 << 20)
        #expect(small.lines == lines.count)
        #expect(small.status.received == lines.count)
        #expect(small.status.deadLetters == 0)
        #expect(small.status.readings == large.status.readings)
    }

    @Test func aLastLineWithoutANewlineIsStillHandled() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = cleanCapture(seed: 4, devices: 1, messagesPerDevice: 3, startMs: 1_795_500_000_000)
        let capture = dir.write("c.txt", Array(lines.joined(separator: "\n").utf8))
        let result = try await replay(capture, dataDir: dir.path + "/data", blockSize: 64)
        #expect(result.lines == 3)
        #expect(result.status.received == 3)
    }

    @Test func aMissingCaptureFailsNamingPathOperationAndReason() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let error = await #expect(throws: StorageError.self) {
            try await replay(dir.path + "/missing.txt", dataDir: dir.path + "/data", blockSize: 64)
        }
        #expect(error?.description == "cannot open \(dir.path)/missing.txt: No such file or directory")
    }
}
