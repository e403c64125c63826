import Foundation
import Testing
import TelemetryCore
@testable import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

/// Appends on a disk that fills up mid-write: all or nothing, and no line twice on retry.
@Suite(.serialized) struct FullDiskTests {
    /// A 64 KiB tmpfs (root only; the test is skipped elsewhere), unmounted by the caller.
    func smallDisk() throws -> String {
        let path = NSTemporaryDirectory() + "telemetryd-full-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard "size=64k".withCString({ mount("tmpfs", path, "tmpfs", 0, $0) }) == 0 else {
            try Test.cancel("cannot mount a 64 KiB tmpfs (needs root): errno \(errno)")
        }
        return path
    }

    /// Fills the disk at `path` with a file `filler`.
    func fill(_ path: String) {
        let fd = open(path + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4_096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    func rollup(_ start: String, _ value: Double) -> Rollup {
        var stats = RollupAccumulator()
        stats.add(value, at: UTCTimestamp.parse(start)!)
        return Rollup(window: WindowSize(parsing: "1m")!, startMs: UTCTimestamp.parse(start)!,
                      key: SeriesKey(site: "hanoi", device: "d1", metric: "pm25"), stats: stats)
    }

    @Test func anAppendThatFailsPartWayLeavesTheFileAsItWas() throws {
        let disk = try smallDisk()
        defer { umount2(disk, Int32(MNT_DETACH)) }
        let file = try AppendOnlyFile(path: disk + "/f")
        try file.append(Array("first line\n".utf8))  // its page has room for ~4 KiB more
        fill(disk)
        let big = [UInt8](repeating: 0x61, count: 12_000) + [0x0A]
        #expect(throws: StorageError.self) { try file.append(big) }
        #expect(try String(contentsOfFile: disk + "/f", encoding: .utf8) == "first line\n")
        #expect(file.size == 11)
    }

    @Test func aBatchThatFailsOnItsSecondFileKeepsOnlyWhatWasNotWritten() throws {
        let disk = try smallDisk()
        defer { umount2(disk, Int32(MNT_DETACH)) }
        let sink = RollupFileSink(directory: DataDirectory(disk), format: .jsonl)
        try sink.write([rollup("2026-11-24T06:00:00Z", 1)])  // creates 06.jsonl and its directories
        fill(disk)
        // 06.jsonl has room left in its page; 07.jsonl needs a new one, which the disk lacks.
        var pending = [rollup("2026-11-24T06:01:00Z", 2), rollup("2026-11-24T07:00:00Z", 3)]
        #expect(throws: StorageError.self) { try sink.write(&pending) }
        #expect(pending.map(\.startMs) == [UTCTimestamp.parse("2026-11-24T07:00:00Z")!])
        unlink(disk + "/filler")
        try sink.write(&pending)
        #expect(pending.isEmpty)
        let six = try String(contentsOfFile: disk + "/rollups/1m/2026-11-24/06.jsonl", encoding: .utf8)
        #expect(six.split(separator: "\n").count == 2, "each 06:xx rollup once:\n\(six)")
        let seven = try String(contentsOfFile: disk + "/rollups/1m/2026-11-24/07.jsonl", encoding: .utf8)
        #expect(seven.split(separator: "\n").count == 1)
    }
}
