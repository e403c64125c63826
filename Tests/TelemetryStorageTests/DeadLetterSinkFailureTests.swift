import Foundation
import Testing
import TelemetryCore
@testable import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

/// A 64 KiB tmpfs mounted for one test (root only); nil, with the reason, when it cannot be.
private final class SmallFileSystem {
    let path: String

    init?(_ name: String = #function) {
        path = NSTemporaryDirectory() + "telemetryd-tmpfs-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=64k") == 0 else {
            print("skipped: cannot mount a tmpfs on \(path): \(String(cString: strerror(errno))) (needs root)")
            rmdir(path)
            return nil
        }
    }

    deinit {
        umount(path)
        rmdir(path)
    }

    /// Fills the file system with `filler`, leaving `spare` bytes free (page granular).
    func fill(leaving spare: Int) throws -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        let block = [UInt8](repeating: 0x46, count: 4096)
        var total = 0
        while true {
            let n = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        guard ftruncate(fd, off_t(max(0, total - spare))) == 0 else { throw POSIXError(.EIO) }
        return filler
    }
}

private func letter(_ i: Int) -> DeadLetter {
    DeadLetter(receivedMs: 1_795_500_000_000, topic: Array("vn/hanoi/d\(i)/telemetry".utf8), reason: .badJSON,
               payload: Array("{\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: 300))\"".utf8))
}

@Suite(.serialized) struct DeadLetterSinkFailureTests {
    @Test func aFlushThatFindsTheDiskFullKeepsTheLettersAndTheNextWritesEachOnce() throws {
        guard let fs = SmallFileSystem() else { return }
        let directory = DataDirectory(fs.path + "/data")
        try FileSystem.makeDirectory(directory.deadLetters)
        let filler = try fs.fill(leaving: 8192)
        let sink = DeadLetterSink(directory: directory)
        for i in 0..<100 { sink.append(letter(i)) }  // ~35 KiB: more than the room left
        #expect(throws: StorageError.self) { try sink.flush() }
        #expect(unlink(filler) == 0)
        try sink.flush()
        let text = try String(contentsOfFile: directory.deadLetters + "/2026-11-24.jsonl", encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(text.hasSuffix("\n"))
        #expect(lines.count == 100)
        for (i, line) in lines.enumerated() { #expect(line.contains("\"topic\":\"vn/hanoi/d\(i)/telemetry\""), "line \(i): \(line.prefix(60))") }
        #expect(sink.written == 100)
    }
}

@Suite struct DeadLetterOverflowReportTests {
    private static let letter = DeadLetter(receivedMs: 0, topic: [], reason: .badJSON, payload: Array(repeating: 0x41, count: 50))

    @Test func theFirstDropIsReportedOnceAndTheEndOnce() {
        let sink = DeadLetterSink(directory: DataDirectory("/nonexistent"), maxBufferedBytes: 0)
        #expect(sink.takeOverflowChange() == nil)
        for _ in 0..<5 { sink.append(Self.letter) }
        #expect(sink.takeOverflowChange() == .began(dropped: 5, bufferBytes: 0))
        for _ in 0..<3 { sink.append(Self.letter) }
        #expect(sink.takeOverflowChange() == nil)  // still dropping: no new line
        #expect(sink.takeOverflowChange() == .ended(dropped: 8))
        #expect(sink.takeOverflowChange() == nil)
        sink.append(Self.letter)
        #expect(sink.takeOverflowChange() == .began(dropped: 1, bufferBytes: 0))
    }

    @Test func theReportsSayWhatHappenedAndWhereItIsCounted() {
        #expect(DeadLetterOverflow.began(dropped: 3, bufferBytes: 16 << 20).description
                == "the dead-letter buffer (16777216 bytes) is full: dropping dead letters, 3 so far; they are counted in status.json (dead_letters_dropped) and written nowhere")
        #expect(DeadLetterOverflow.ended(dropped: 9).description == "dead letters are kept again; 9 were dropped while the buffer was full")
    }
}
