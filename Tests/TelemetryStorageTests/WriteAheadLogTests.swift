import Foundation
import Synchronization
import SystemPackage
import Testing
import TelemetryTestSupport
@testable import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

/// A record read back, copied out of the reader's buffer.
private struct ReadRecord: Equatable {
    var lsn: UInt64
    var arrivalMs: Int64
    var connection: UInt16
    var mid: Int32
    var topic: [UInt8]
    var payload: [UInt8]

    init(lsn: UInt64, arrivalMs: Int64 = 0, connection: UInt16 = 0, mid: Int32 = 0, topic: [UInt8], payload: [UInt8]) {
        (self.lsn, self.arrivalMs, self.connection, self.mid, self.topic, self.payload) =
            (lsn, arrivalMs, connection, mid, topic, payload)
    }

    init(_ record: WALRecord) {
        self.init(
            lsn: record.lsn, arrivalMs: record.arrivalMs, connection: record.connection, mid: record.mid,
            topic: Array(record.topic), payload: Array(record.payload))
    }
}

/// Appends a message given as byte arrays.
private func append(
    _ log: WriteAheadLog, topic: [UInt8], payload: [UInt8], arrivalMs: Int64 = 0, connection: UInt16 = 0, mid: Int32 = 0
) throws -> UInt64 {
    let (t, p) = (topic, payload)
    return try t.withUnsafeBytes { topic in
        try p.withUnsafeBytes { payload in
            try log.append(arrivalMs: arrivalMs, connection: connection, mid: mid, topic: topic, payload: payload)
        }
    }
}

/// Appends `count` messages `t/<i>` with payload `p<i>`; returns their LSNs.
@discardableResult
private func appendNumbered(_ log: WriteAheadLog, _ count: Int, payloadBytes: Int = 0) throws -> [UInt64] {
    try (0..<count).map { i in
        try append(log, topic: Array("t/\(i)".utf8), payload: Array("p\(i)".utf8) + [UInt8](repeating: 7, count: payloadBytes))
    }
}

/// Everything readable from `lsn` on.
private func readAll(_ directory: String, from lsn: UInt64 = 0) throws -> ([ReadRecord], WALReadSummary) {
    var records: [ReadRecord] = []
    let summary = try WriteAheadLog.read(directory: directory, from: lsn) { records.append(ReadRecord($0)) }
    return (records, summary)
}

/// The segment files in `directory`, sorted.
private func segments(_ directory: String) -> [String] {
    FileSystem.list(directory).filter { $0.hasSuffix(".wal") }.map { directory + "/" + $0 }
}

/// Overwrites bytes of a file at `offset`.
private func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
    let fd = try FileDescriptor.open(FilePath(path), .readWrite)
    defer { try? fd.close() }
    _ = try fd.writeAll(toAbsoluteOffset: Int64(offset), bytes)
}

/// Offset of the record with index `index` when each of those before it is `t/<i>` + `p<i>`.
private func offsetOfNumbered(_ index: Int) -> Int {
    (0..<index).reduce(0) { $0 + WALRecordLayout.length(topic: "t/\($1)".utf8.count, payload: "p\($1)".utf8.count)! }
}

@Suite struct CRC32CTests {
    @Test func theChecksumOfTheStandardCheckStringIsE3069283() {
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { CRC32C.checksum($0) } == 0xE306_9283)
    }

    @Test func feedingInPiecesGivesTheChecksumOfTheWhole() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = bytes.withUnsafeBytes { CRC32C.checksum($0) }
        let pieces = bytes.withUnsafeBytes { all in
            ~CRC32C.update(CRC32C.update(0xFFFF_FFFF, with: UnsafeRawBufferPointer(rebasing: all[..<13])),
                           with: UnsafeRawBufferPointer(rebasing: all[13...]))
        }
        #expect(pieces == whole)
    }
}

@Suite struct WriteAheadLogTests {
    @Test func appendedRecordsReadBackExactly() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1)
        let binary = (0...255).map { UInt8($0) }
        let large = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let expected = [
            ReadRecord(lsn: 1, arrivalMs: 1_764_000_000_123, connection: 2, mid: 17,
                       topic: Array("sensors/hanoi/d1".utf8), payload: Array(#"{"pm25":12.5}"#.utf8)),
            ReadRecord(lsn: 2, arrivalMs: -5, connection: 0, mid: -1, topic: Array("empty/payload".utf8), payload: []),
            ReadRecord(lsn: 3, arrivalMs: 0, connection: UInt16.max, mid: Int32.max, topic: [0, 0xFF, 0x2F], payload: binary),
            ReadRecord(lsn: 4, arrivalMs: Int64.max, connection: 1, mid: 3, topic: Array("big".utf8), payload: large),
        ]
        for record in expected {
            _ = try append(log, topic: record.topic, payload: record.payload, arrivalMs: record.arrivalMs,
                           connection: record.connection, mid: record.mid)
        }
        let (records, summary) = try readAll(dir)
        #expect(records == expected)
        #expect(summary == WALReadSummary(records: 4, lastLSN: 4, stoppedAtDamage: false))
    }

    @Test func lsnsAreConsecutiveFromNextLSN() throws {
        let tmp = try TemporaryDataDirectory()
        let log = try WriteAheadLog(directory: tmp.path + "/wal", nextLSN: 41)
        #expect(log.lastLSN == 40)
        #expect(try appendNumbered(log, 5) == [41, 42, 43, 44, 45])
        #expect(log.lastLSN == 45)
    }

    @Test func readingFromAMiddleLSNSkipsTheRecordsBeforeIt() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(log, 10)
        let (records, summary) = try readAll(dir, from: 7)
        #expect(records.map(\.lsn) == [7, 8, 9, 10])
        #expect(records.first?.topic == Array("t/6".utf8))
        #expect(summary == WALReadSummary(records: 4, lastLSN: 10, stoppedAtDamage: false))
    }

    @Test func recordsRollOverToManySegmentsAndReadBackAcrossThem() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 256)
        try appendNumbered(log, 100, payloadBytes: 50)
        #expect(segments(dir).count >= 30)
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == Array(1...100))
        #expect(records[99].payload == Array("p99".utf8) + [UInt8](repeating: 7, count: 50))
        #expect(summary == WALReadSummary(records: 100, lastLSN: 100, stoppedAtDamage: false))
        let (fromMiddle, _) = try readAll(dir, from: 55)
        #expect(fromMiddle.map(\.lsn) == Array(55...100))
    }

    @Test func aRecordLargerThanASegmentGetsASegmentOfItsOwnSizedToFit() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 1024)
        let big = [UInt8](repeating: 0xAB, count: 5000)
        _ = try append(log, topic: Array("small".utf8), payload: [1])
        _ = try append(log, topic: Array("big".utf8), payload: big)
        _ = try append(log, topic: Array("small".utf8), payload: [2])
        let files = segments(dir)
        #expect(files.count == 3)
        #expect(WALSegmentFile(name: "0000000000000002.wal", in: dir)?.size == WALRecordLayout.length(topic: 3, payload: 5000))
        let (records, _) = try readAll(dir)
        #expect(records.map(\.payload) == [[1], big, [2]])
    }

    @Test func aFirstRecordLargerThanASegmentReplacesTheEmptySegment() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 1024)
        #expect(try append(log, topic: Array("big".utf8), payload: [UInt8](repeating: 1, count: 4000)) == 1)
        #expect(try append(log, topic: Array("small".utf8), payload: [2]) == 2)
        #expect(segments(dir).map { String($0.suffix(20)) } == ["0000000000000001.wal", "0000000000000002.wal"])
        #expect(try readAll(dir).0.map(\.lsn) == [1, 2])
    }

    @Test func removeSegmentsDeletesOnlyWholeSegmentsBeforeTheLSN() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        // 96-byte records, two to a 256-byte segment: segments start at LSNs 1, 3, 5, 7, 9.
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 256)
        try appendNumbered(log, 10, payloadBytes: 48)
        #expect(segments(dir).count == 5)
        log.removeSegments(before: 6)
        #expect(WALSegmentFile.all(in: dir).map(\.firstLSN) == [5, 7, 9])
        #expect(try readAll(dir).0.map(\.lsn) == [5, 6, 7, 8, 9, 10])
    }

    @Test func removeSegmentsNeverDeletesTheSegmentBeingAppendedTo() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 256)
        try appendNumbered(log, 10, payloadBytes: 48)
        log.removeSegments(before: UInt64.max)
        #expect(WALSegmentFile.all(in: dir).map(\.firstLSN) == [9])
        try appendNumbered(log, 1)
        #expect(try readAll(dir).0.map(\.lsn) == [9, 10, 11])
    }

    @Test func diskBytesCountsTheSegmentFiles() throws {
        let tmp = try TemporaryDataDirectory()
        let log = try WriteAheadLog(directory: tmp.path + "/wal", nextLSN: 1, segmentBytes: 4096)
        #expect(log.diskBytes == 4096)
        try appendNumbered(log, 3, payloadBytes: 3000)  // one 3048-byte record per segment
        #expect(log.diskBytes == 3 * 4096)
    }

    @Test func aTruncatedLastRecordStopsReadingThereWithEverythingBeforeIntact() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(log, 5)
        log.close()
        let file = try #require(segments(dir).last)
        #expect(truncate(file, off_t(offsetOfNumbered(4) + 20)) == 0)
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == [1, 2, 3, 4])
        #expect(records[3].payload == Array("p3".utf8))
        #expect(summary == WALReadSummary(records: 4, lastLSN: 4, stoppedAtDamage: true))
    }

    @Test func aRecordWhoseLengthWasNeverStoredStopsReadingThere() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(log, 5)
        log.close()
        try overwrite(try #require(segments(dir).last), at: offsetOfNumbered(4), with: [0, 0, 0, 0])
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == [1, 2, 3, 4])
        #expect(summary == WALReadSummary(records: 4, lastLSN: 4, stoppedAtDamage: true))
    }

    @Test func aFlippedPayloadByteFailsTheCRCAndStopsReadingThere() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(log, 5)
        log.close()
        // The payload of record 4 ("p4") starts after its 40-byte header and 3-byte topic.
        try overwrite(try #require(segments(dir).last), at: offsetOfNumbered(4) + 40 + 3, with: [UInt8(ascii: "q")])
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == [1, 2, 3, 4])
        #expect(summary == WALReadSummary(records: 4, lastLSN: 4, stoppedAtDamage: true))
    }

    @Test func reopeningContinuesTheLSNsInANewSegmentAndReadingSeesBoth() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let first = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(first, 3)
        first.close()
        let lastLSN = try #require(try readAll(dir).1.lastLSN)
        let second = try WriteAheadLog(directory: dir, nextLSN: lastLSN + 1)
        #expect(try appendNumbered(second, 2) == [4, 5])
        #expect(segments(dir).count == 2)
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == [1, 2, 3, 4, 5])
        #expect(summary.stoppedAtDamage == false)
    }

    @Test func aDamagedTailFollowedByTheSegmentOfTheRecoveredRunIsPassedOver() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let crashed = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(crashed, 5)
        crashed.close()
        try overwrite(try #require(segments(dir).last), at: offsetOfNumbered(4) + 40, with: [0xFF])
        let recovered = try readAll(dir).1
        #expect(recovered == WALReadSummary(records: 4, lastLSN: 4, stoppedAtDamage: true))
        let next = try WriteAheadLog(directory: dir, nextLSN: 5)
        _ = try append(next, topic: Array("again".utf8), payload: [5])
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == [1, 2, 3, 4, 5])
        #expect(records.last?.topic == Array("again".utf8))
        #expect(summary.stoppedAtDamage == false)
    }

    @Test func aGapInLSNsBetweenSegmentsStopsReadingWithDamage() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let first = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(first, 3)
        first.close()
        let later = try WriteAheadLog(directory: dir, nextLSN: 10)
        try appendNumbered(later, 2)
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == [1, 2, 3])
        #expect(summary == WALReadSummary(records: 3, lastLSN: 3, stoppedAtDamage: true))
    }

    @Test func reopeningAtTheSameLSNWithoutAppendsDeletesTheEmptySegment() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        try WriteAheadLog(directory: dir, nextLSN: 7).close()
        let again = try WriteAheadLog(directory: dir, nextLSN: 7)
        #expect(again.setAside.isEmpty)
        #expect(try appendNumbered(again, 1) == [7])
        #expect(segments(dir).count == 1)
    }

    @Test func reopeningBeforeSegmentsThatHoldRecordsSetsThemAside() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let first = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 256)
        try appendNumbered(first, 4, payloadBytes: 48)  // segments 1 and 3
        first.close()
        let again = try WriteAheadLog(directory: dir, nextLSN: 3)
        #expect(again.setAside == [dir + "/0000000000000003.wal.stale"])
        #expect(FileManager.default.fileExists(atPath: dir + "/0000000000000003.wal.stale"))
        #expect(try appendNumbered(again, 1) == [3])
        #expect(try readAll(dir).0.map(\.lsn) == [1, 2, 3])
    }

    @Test func aMissingDirectoryReadsAsEmpty() throws {
        let tmp = try TemporaryDataDirectory()
        let (records, summary) = try readAll(tmp.path + "/no-such-wal")
        #expect(records.isEmpty)
        #expect(summary == WALReadSummary(records: 0, lastLSN: nil, stoppedAtDamage: false))
    }

    @Test func aTopicOver65535BytesIsRejectedAndConsumesNoLSN() throws {
        let tmp = try TemporaryDataDirectory()
        let log = try WriteAheadLog(directory: tmp.path + "/wal", nextLSN: 1)
        #expect(throws: StorageError.self) {
            _ = try append(log, topic: [UInt8](repeating: 0x61, count: 65_536), payload: [])
        }
        #expect(try appendNumbered(log, 1) == [1])
    }

    @Test func appendingAfterCloseThrowsAndWritesNothing() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1)
        try appendNumbered(log, 2)
        log.close()
        let error = #expect(throws: StorageError.self) { try appendNumbered(log, 1) }
        #expect(error?.errno == .badFileDescriptor)
        #expect(try readAll(dir).1 == WALReadSummary(records: 2, lastLSN: 2, stoppedAtDamage: false))
    }

    @Test func syncSucceedsAfterAppendsAndAfterSegmentsRollOver() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 4096)
        try log.sync()
        try appendNumbered(log, 10, payloadBytes: 1000)
        try log.sync()
        try log.sync()
        try appendNumbered(log, 1)
        try log.sync()
        #expect(try readAll(dir).0.count == 11)
    }

    @Test func syncAndRemoveOnAnotherThreadWhileAppendingKeepEveryRecord() throws {
        let tmp = try TemporaryDataDirectory()
        let dir = tmp.path + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 8192)
        final class Shared: Sendable {
            let done = Atomic(false)
            let failures = Atomic(0)
        }
        let shared = Shared()
        let syncer = Thread {
            while !shared.done.load(ordering: .acquiring) {
                do { try log.sync() } catch { shared.failures.add(1, ordering: .relaxed) }
                log.removeSegments(before: 1)  // removes nothing: every record is needed
            }
        }
        syncer.start()
        try appendNumbered(log, 20_000, payloadBytes: 100)
        shared.done.store(true, ordering: .releasing)
        while !syncer.isFinished { usleep(1000) }
        #expect(shared.failures.load(ordering: .relaxed) == 0)
        try log.sync()
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == Array(1...20_000))
        #expect(summary.stoppedAtDamage == false)
    }

    @Test func appendsOnAFullDiskThrowENOSPCAndTheRecordsBeforeReadBack() throws {
        let tmp = try TemporaryDataDirectory()
        let mountPoint = tmp.path + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard "size=1m".withCString({ mount("tmpfs", mountPoint, "tmpfs", 0, $0) }) == 0 else {
            try Test.cancel("cannot mount a 1 MiB tmpfs (needs root): \(Errno(rawValue: errno))")
        }
        defer { umount2(mountPoint, Int32(MNT_DETACH)) }
        let dir = mountPoint + "/wal"
        let log = try WriteAheadLog(directory: dir, nextLSN: 1, segmentBytes: 64 << 10)
        var appended: [UInt64] = []
        var failure: StorageError?
        for _ in 0..<10_000 {
            do {
                appended.append(try append(log, topic: Array("t".utf8), payload: [UInt8](repeating: 9, count: 1000)))
            } catch let error as StorageError {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.errno == .noSpace)
        #expect(error.description.contains("No space left on device"))
        #expect(log.lastLSN == appended.last)
        #expect(appended.count > 100)
        log.close()
        let (records, summary) = try readAll(dir)
        #expect(records.map(\.lsn) == appended)
        #expect(summary == WALReadSummary(records: appended.count, lastLSN: appended.last, stoppedAtDamage: false))
    }
}
