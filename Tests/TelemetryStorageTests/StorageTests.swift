import Foundation
import Testing
import TelemetryCore
@testable import TelemetryStorage

private func temporaryDirectory(_ name: String = #function) -> String {
    let path = NSTemporaryDirectory() + "telemetryd-storage-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The permission bits of `path`.
private func mode(of path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue & 0o777
}

private func rollup(_ window: String, _ start: String, metric: String = "pm25", value: Double = 1) -> Rollup {
    var stats = RollupAccumulator()
    stats.add(value, at: UTCTimestamp.parse(start)!)
    return Rollup(window: WindowSize(parsing: window)!, startMs: UTCTimestamp.parse(start)!,
                  key: SeriesKey(site: "hanoi", device: "d1", metric: metric), stats: stats)
}

@Suite struct RollupFileSinkTests {
    @Test func neverMoreThanTheHardLimitOfFilesAreOpenHoweverManyHoursABatchSpans() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        let hours = RollupFileSink.openFileHardLimit + 44
        let start = UTCTimestamp.parse("2026-11-01T00:00:00Z")!
        let batch = (0..<hours).map { h in rollup("1h", UTCTimestamp.format(milliseconds: start + Int64(h) * 3_600_000)) }
        try sink.write(batch)
        #expect(sink.openPaths.count <= RollupFileSink.openFileHardLimit)
        let written = FileSystem.files(below: root + "/rollups/1h")
        #expect(written.count == hours, "every hour's file written")
        for file in written { #expect(try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count == 1) }
    }

    @Test func rollupsGoToTheFileOfTheirWindowDayAndHour() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        try sink.write([rollup("1m", "2026-11-24T06:59:00Z"), rollup("1h", "2026-11-24T07:00:00Z"),
                        rollup("10s", "2026-11-25T00:00:10Z")])
        try sink.flush()
        #expect(FileSystem.files(below: root + "/rollups") == [
            root + "/rollups/10s/2026-11-25/00.jsonl",
            root + "/rollups/1h/2026-11-24/07.jsonl",
            root + "/rollups/1m/2026-11-24/06.jsonl",
        ])
    }

    @Test func appendingKeepsEarlierLinesAndWritesWholeLines() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        try sink.write([rollup("1m", "2026-11-24T06:00:00Z", value: 1)])
        try sink.write([rollup("1m", "2026-11-24T06:01:00Z", value: 2)])
        try sink.flush()
        let text = try String(contentsOfFile: root + "/rollups/1m/2026-11-24/06.jsonl", encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(text.hasSuffix("\n"))
        #expect(lines[1].contains("\"start\":\"2026-11-24T06:01:00.000Z\""))
    }

    @Test func aCSVFileGetsOneHeaderEvenAcrossSinks() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for minute in ["00", "01"] {
            let sink = RollupFileSink(directory: DataDirectory(root), format: .csv)
            try sink.write([rollup("1m", "2026-11-24T06:\(minute):00Z")])
            try sink.flush()
        }
        let text = try String(contentsOfFile: root + "/rollups/1m/2026-11-24/06.csv", encoding: .utf8)
        #expect(text.components(separatedBy: "window,start,end").count == 2)
        #expect(text.split(separator: "\n").count == 3)
    }

    /// One rollup in each of `count` consecutive hour files, starting 2026-11-24T00.
    private func oneRollupPerHour(_ count: Int, from first: Int = 0) -> [Rollup] {
        let base = UTCTimestamp.parse("2026-11-24T00:00:00Z")!
        return (first..<first + count).map { rollup("1m", UTCTimestamp.format(milliseconds: base + Int64($0) * 3_600_000)) }
    }

    @Test func filesWrittenSinceTheLastFlushStayOpenEvenWhenManyAreOpen() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        try sink.write(oneRollupPerHour(RollupFileSink.openFileLimit + 8))
        try sink.flush()
        #expect(sink.openPaths.count == RollupFileSink.openFileLimit + 8)
    }

    @Test func beyondTheLimitAFlushClosesTheFilesNotWrittenSinceThePreviousFlush() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        try sink.write(oneRollupPerHour(RollupFileSink.openFileLimit + 8))
        try sink.flush()
        let recent = oneRollupPerHour(2, from: 5)
        try sink.write(recent)
        try sink.flush()
        #expect(sink.openPaths == Set(recent.map(sink.path(for:))))
    }

    @Test func atOrBelowTheLimitAFlushClosesNothing() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        try sink.write(oneRollupPerHour(RollupFileSink.openFileLimit))
        try sink.flush()
        try sink.write(oneRollupPerHour(1))
        try sink.flush()
        #expect(sink.openPaths.count == RollupFileSink.openFileLimit)
    }

    @Test func aClosedFileIsReopenedAndAppendedToOnTheNextWrite() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        try sink.write(oneRollupPerHour(RollupFileSink.openFileLimit + 8))
        try sink.flush()
        try sink.write(oneRollupPerHour(1, from: 5))
        try sink.flush()  // closes every file but hour 05
        try sink.write(oneRollupPerHour(1))
        try sink.flush()
        let text = try String(contentsOfFile: root + "/rollups/1m/2026-11-24/00.jsonl", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2)
    }
}

@Suite struct FileSystemTests {
    @Test func aTornLastLineIsCutBackToTheLastNewline() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/f.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data("{\"a\":1}\n{\"a\":2}\n{\"a\":".utf8))
        #expect(try FileSystem.cutTornLastLine(path) == 5)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n{\"a\":2}\n")
    }

    @Test func aCompleteFileIsLeftAlone() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/f.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data("{\"a\":1}\n".utf8))
        #expect(try FileSystem.cutTornLastLine(path) == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n")
    }

    @Test func aFileWithNoNewlineAtAllIsEmptied() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/f.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: 10_000))
        #expect(try FileSystem.cutTornLastLine(path) == 10_000)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
    }

    @Test func atomicReplacementLeavesOnlyTheNewContent() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileSystem.replaceAtomically(root + "/status.json", with: Array("old".utf8))
        try FileSystem.replaceAtomically(root + "/status.json", with: Array("new".utf8))
        #expect(try String(contentsOfFile: root + "/status.json", encoding: .utf8) == "new")
        #expect(!FileManager.default.fileExists(atPath: root + "/status.json.tmp"))
    }

    @Test func createdFilesAreNotWorldReadableOrWritable() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = RollupFileSink(directory: DataDirectory(root), format: .jsonl)
        try sink.write([rollup("1m", "2026-11-24T06:00:00Z")])
        let attributes = try FileManager.default.attributesOfItem(atPath: root + "/rollups/1m/2026-11-24/06.jsonl")
        let mode = (attributes[.posixPermissions] as! NSNumber).intValue
        #expect(mode & 0o007 == 0)
    }

    @Test func aNewFileHasMode0640() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try AppendOnlyFile(path: root + "/f.jsonl")
        #expect(try mode(of: root + "/f.jsonl") == 0o640)
    }

    @Test func createdDirectoriesAndTheirParentsHaveMode0750() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let saved = umask(0o077)
        defer { umask(saved) }
        try FileSystem.makeDirectory(root + "/a/b")
        #expect(try mode(of: root + "/a") == 0o750)
        #expect(try mode(of: root + "/a/b") == 0o750)
    }

    @Test func makingAnExistingDirectoryIsNotAnError() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileSystem.makeDirectory(root + "/a")
        try FileSystem.makeDirectory(root + "/a")
        #expect(FileSystem.list(root) == ["a"])
    }

    @Test func readingAMissingFileGivesNothingAndAFileItsWholeContent() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try FileSystem.readAll(root + "/missing") == nil)
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        FileManager.default.createFile(atPath: root + "/big", contents: Data(bytes))
        #expect(try FileSystem.readAll(root + "/big") == bytes)
    }

    @Test func readingADirectoryFailsNamingPathAndReason() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: StorageError.self) { try FileSystem.readAll(root) }
        #expect(error?.description == "cannot read \(root): Is a directory")
    }

    @Test func aFailedMoveNamesTheSourceAndTheReason() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: StorageError.self) { try FileSystem.move(root + "/missing", to: root + "/other") }
        #expect(error?.description == "cannot rename \(root)/missing: No such file or directory")
    }

    @Test func aDirectoryUnderARegularFileFailsWithNotADirectory() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        FileManager.default.createFile(atPath: root + "/f", contents: Data())
        let error = #expect(throws: StorageError.self) { try FileSystem.makeDirectory(root + "/f/sub") }
        #expect(error?.description == "cannot create directory \(root)/f/sub: Not a directory")
    }

    @Test func aDirectoryWhereARegularFileIsFailsWithFileExists() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        FileManager.default.createFile(atPath: root + "/f", contents: Data())
        let error = #expect(throws: StorageError.self) { try FileSystem.makeDirectory(root + "/f") }
        #expect(error?.description == "cannot create directory \(root)/f: File exists")
    }

    @Test func openingAFileInAMissingDirectoryNamesPathOperationAndReason() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: StorageError.self) { try AppendOnlyFile(path: root + "/missing/f.jsonl") }
        #expect(error?.description == "cannot open \(root)/missing/f.jsonl: No such file or directory")
    }

    @Test func cuttingAMissingFileNamesPathOperationAndReason() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: StorageError.self) { try FileSystem.cutTornLastLine(root + "/missing.jsonl") }
        #expect(error?.description == "cannot open \(root)/missing.jsonl: No such file or directory")
    }

    @Test func aTornLineLongerThanOneReadBlockIsCutWhole() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/f.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data("{\"a\":1}\n".utf8 + [UInt8](repeating: 0x41, count: 10_000)))
        #expect(try FileSystem.cutTornLastLine(path) == 10_000)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n")
    }

    @Test func appendedBytesFollowWhatTheFileAlreadyHeld() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/f.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data("a\n".utf8))
        let file = try AppendOnlyFile(path: path)
        #expect(file.size == 2)
        try file.append(Array("b\n".utf8))
        try file.sync()
        #expect(file.size == 4)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a\nb\n")
    }
}

@Suite struct DeadLetterTests {
    @Test func aTextPayloadIsWrittenAsText() throws {
        let letter = DeadLetter(receivedMs: 0, topic: Array("vn/a/b/c".utf8), reason: .badNumber, payload: Array("a\"b".utf8))
        let o = try JSONSerialization.jsonObject(with: Data(letter.jsonLine())) as! [String: Any]
        #expect(o["payload"] as? String == "a\"b")
        #expect(o["reason"] as? String == "bad_number")
        #expect(o["received"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(o["payload_base64"] == nil)
    }

    @Test func aBinaryPayloadIsWrittenAsBase64() throws {
        let payload: [UInt8] = [0xFF, 0x00, 0x41, 0xFE, 0x80]
        for n in 1...payload.count {
            let letter = DeadLetter(receivedMs: 0, topic: [], reason: .notUTF8, payload: Array(payload.prefix(n)))
            let o = try JSONSerialization.jsonObject(with: Data(letter.jsonLine())) as! [String: Any]
            // Every prefix starts with 0xFF, so none is UTF-8; lengths 1…5 cover all padding cases.
            let text = o["payload_base64"] as? String
            #expect(text.flatMap { Data(base64Encoded: $0) } == Data(payload.prefix(n)))
            #expect(o["payload"] == nil)
        }
    }

    @Test func theSinkWritesOneFilePerDayOfReceipt() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = DeadLetterSink(directory: DataDirectory(root))
        for day in ["2026-11-23T23:59:59Z", "2026-11-24T00:00:00Z", "2026-11-24T12:00:00Z"] {
            sink.append(DeadLetter(receivedMs: UTCTimestamp.parse(day)!, topic: [], reason: .noTemplate, payload: []))
        }
        try sink.flush()
        #expect(FileSystem.list(root + "/deadletter") == ["2026-11-23.jsonl", "2026-11-24.jsonl"])
        #expect(sink.written == 3)
    }

    @Test func theSinkBufferIsBoundedAndCountsWhatItCouldNotKeep() {
        let sink = DeadLetterSink(directory: DataDirectory("/nonexistent"), maxBufferedBytes: 1_000)
        for _ in 0..<100 { sink.append(DeadLetter(receivedMs: 0, topic: [], reason: .badJSON, payload: Array(repeating: 0x41, count: 50))) }
        #expect(sink.overflowed > 0)
        #expect(sink.overflowed < 100)
    }

    /// The size of one dead letter's line, measured by writing it (independent of the encoder's API).
    private func lineSize(of letter: DeadLetter) throws -> Int {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = DeadLetterSink(directory: DataDirectory(root))
        sink.append(letter)
        try sink.flush()
        return try Data(contentsOf: URL(fileURLWithPath: root + "/deadletter/1970-01-01.jsonl")).count
    }

    @Test func theSinkCountsExactlyTheDeadLettersItCouldNotKeep() throws {
        let letter = DeadLetter(receivedMs: 0, topic: [], reason: .badJSON, payload: Array(repeating: 0x41, count: 50))
        let size = try lineSize(of: letter)
        let sink = DeadLetterSink(directory: DataDirectory("/nonexistent"), maxBufferedBytes: 10 * size)
        for _ in 0..<100 { sink.append(letter) }
        #expect(sink.overflowed == 90)
    }

    @Test func aFlushMakesRoomAgainAndTheCountKeepsGrowing() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let letter = DeadLetter(receivedMs: 0, topic: [], reason: .badJSON, payload: Array(repeating: 0x41, count: 50))
        let size = try lineSize(of: letter)
        let sink = DeadLetterSink(directory: DataDirectory(root), maxBufferedBytes: 2 * size)
        for _ in 0..<3 { sink.append(letter) }
        try sink.flush()
        for _ in 0..<3 { sink.append(letter) }
        #expect(sink.overflowed == 2)
        #expect(sink.written == 2)
    }

    @Test func theCountIsExactWhenManyThreadsOverflowAtOnce() async {
        let sink = DeadLetterSink(directory: DataDirectory("/nonexistent"), maxBufferedBytes: 0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<1_000 { sink.append(DeadLetter(receivedMs: 0, topic: [], reason: .badJSON, payload: [0x41])) }
                }
            }
        }
        #expect(sink.overflowed == 8_000)
    }
}

@Suite struct RetentionPolicyTests {
    @Test func partitionsOlderThanTheRetentionAreDeletedAndNewerKept() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = DataDirectory(root)
        for day in ["2026-11-01", "2026-11-16", "2026-11-17", "2026-11-24"] {
            try FileSystem.makeDirectory(dir.rollupDay(window: "1m", day: day))
            FileManager.default.createFile(atPath: "\(dir.deadLetters)/\(day).jsonl", contents: nil)
        }
        try FileSystem.makeDirectory(dir.deadLetters)
        for day in ["2026-11-01", "2026-11-16", "2026-11-17", "2026-11-24"] {
            FileManager.default.createFile(atPath: "\(dir.deadLetters)/\(day).jsonl", contents: Data())
        }
        let removed = RetentionPolicy(days: 7).prune(dir, nowMs: UTCTimestamp.parse("2026-11-24T12:00:00Z")!)
        #expect(removed.count == 4)
        #expect(FileSystem.list(dir.rollups + "/1m") == ["2026-11-17", "2026-11-24"])
        #expect(FileSystem.list(dir.deadLetters) == ["2026-11-17.jsonl", "2026-11-24.jsonl"])
    }

    @Test func zeroDaysKeepsEverything() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = DataDirectory(root)
        try FileSystem.makeDirectory(dir.rollupDay(window: "1m", day: "2000-01-01"))
        #expect(RetentionPolicy(days: 0).prune(dir, nowMs: UTCTimestamp.parse("2026-11-24T12:00:00Z")!).isEmpty)
    }
}
