import Foundation
import Testing
import TelemetryCore
@testable import TelemetryStorage

private func temporaryDirectory(_ name: String = #function) -> String {
    let path = NSTemporaryDirectory() + "telemetryd-links-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func rollup(_ window: String, _ start: String) -> Rollup {
    var stats = RollupAccumulator()
    stats.add(1, at: UTCTimestamp.parse(start)!)
    return Rollup(window: WindowSize(parsing: window)!, startMs: UTCTimestamp.parse(start)!,
                  key: SeriesKey(site: "hanoi", device: "d1", metric: "pm25"), stats: stats)
}

/// A data directory and, beside it, a file and a directory that are not telemetryd's.
private struct PlantedLinks {
    let base: String
    var root: String { base + "/data" }
    var outsideFile: String { base + "/outside.txt" }
    var outsideDirectory: String { base + "/outside-dir" }
    /// Not newline-terminated: the torn-line repair would cut "torn".
    static let outsideContent = Data("someone else's file\ntorn".utf8)

    init(_ name: String = #function) throws {
        base = temporaryDirectory(name)
        _ = FileManager.default.createFile(atPath: base + "/outside.txt", contents: Self.outsideContent)
        try FileManager.default.createDirectory(atPath: base + "/outside-dir", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/data/rollups/10s/2026-11-24", withIntermediateDirectories: true)
    }

    /// `rollups/10s/2026-11-24/06.jsonl` → the outside file.
    func linkHourFile() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/rollups/10s/2026-11-24/06.jsonl", withDestinationPath: outsideFile)
    }

    /// `rollups/1m` → the outside directory.
    func linkWindowDirectory() throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/rollups/1m", withDestinationPath: outsideDirectory)
    }

    var outsideIsUntouched: Bool {
        FileManager.default.contents(atPath: outsideFile) == Self.outsideContent
            && (try? FileManager.default.contentsOfDirectory(atPath: outsideDirectory)) == []
    }

    func remove() { try? FileManager.default.removeItem(atPath: base) }
}

@Suite struct SymbolicLinkTests {
    @Test func theTornLineRepairLeavesAFileBehindASymbolicLinkAlone() throws {
        let links = try PlantedLinks()
        defer { links.remove() }
        try links.linkHourFile()
        _ = try RollupFileSink.repairTornLines(in: DataDirectory(links.root))
        #expect(links.outsideIsUntouched)
    }

    @Test func theTornLineRepairDoesNotDescendIntoALinkedDirectory() throws {
        let links = try PlantedLinks()
        defer { links.remove() }
        _ = FileManager.default.createFile(atPath: links.outsideDirectory + "/06.jsonl", contents: Data("a\ntorn".utf8))
        try links.linkWindowDirectory()
        _ = try RollupFileSink.repairTornLines(in: DataDirectory(links.root))
        #expect(FileManager.default.contents(atPath: links.outsideDirectory + "/06.jsonl") == Data("a\ntorn".utf8))
    }

    @Test func theSinkRefusesToAppendThroughALinkedHourFile() throws {
        let links = try PlantedLinks()
        defer { links.remove() }
        try links.linkHourFile()
        let sink = RollupFileSink(directory: DataDirectory(links.root), format: .jsonl)
        let error = #expect(throws: StorageError.self) { try sink.write([rollup("10s", "2026-11-24T06:00:10Z")]) }
        #expect(error?.description.contains("symbolic link") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(links.outsideIsUntouched)
    }

    @Test func theSinkRefusesToWriteIntoALinkedWindowDirectory() throws {
        let links = try PlantedLinks()
        defer { links.remove() }
        try links.linkWindowDirectory()
        let sink = RollupFileSink(directory: DataDirectory(links.root), format: .jsonl)
        let error = #expect(throws: StorageError.self) { try sink.write([rollup("1m", "2026-11-24T06:01:00Z")]) }
        #expect(error?.description.contains(links.root + "/rollups/1m") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(error?.description.contains("symbolic link") == true, "\(error.map { "\($0)" } ?? "")")
        #expect(links.outsideIsUntouched)
    }

    @Test func theDeadLetterSinkRefusesALinkedDayFile() throws {
        let links = try PlantedLinks()
        defer { links.remove() }
        try FileManager.default.createDirectory(atPath: links.root + "/deadletter", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: links.root + "/deadletter/1970-01-01.jsonl", withDestinationPath: links.outsideFile)
        let sink = DeadLetterSink(directory: DataDirectory(links.root))
        sink.append(DeadLetter(receivedMs: 0, topic: [], reason: .badJSON, payload: Array("x".utf8)))
        #expect(throws: StorageError.self) { try sink.flush() }
        #expect(links.outsideIsUntouched)
    }

    @Test func anAtomicReplacementDoesNotWriteThroughALinkedTemporaryFile() throws {
        let links = try PlantedLinks()
        defer { links.remove() }
        // unlink removes a planted `.tmp` link; this checks the open that follows cannot follow one.
        try FileManager.default.createSymbolicLink(atPath: links.root + "/status.json.tmp", withDestinationPath: links.outsideFile)
        try FileSystem.replaceAtomically(links.root + "/status.json", with: Array("{}".utf8))
        #expect(links.outsideIsUntouched)
        #expect(FileManager.default.contents(atPath: links.root + "/status.json") == Data("{}".utf8))
    }

    @Test func readingALinkedFileIsRefused() throws {
        let links = try PlantedLinks()
        defer { links.remove() }
        try links.linkHourFile()
        let path = links.root + "/rollups/10s/2026-11-24/06.jsonl"
        #expect(throws: StorageError.self) { try FileSystem.readAll(path) }
        #expect(throws: StorageError.self) { try FileSystem.cutTornLastLine(path) }
        var reader = RollupFileReader(path: path)
        #expect(throws: RollupReadError.self) { try reader.readAll() }
        #expect(links.outsideIsUntouched)
    }
}
