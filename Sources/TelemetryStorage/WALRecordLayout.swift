import Synchronization

/// The byte layout of one write-ahead-log record: the one home of the format, used by the
/// appender (`encode`) and the reader (`decode`).
///
/// A segment file is a sequence of records from offset 0, each starting 8-byte aligned; all
/// integers are little-endian:
///
/// | offset | size | field |
/// |-------:|-----:|-------|
/// |      0 |    4 | total length of the record in bytes, padding included (a multiple of 8, ≥ 40); **0 = end of the segment** |
/// |      4 |    4 | CRC-32C of bytes 8 ..< total length (everything after this field, padding included) |
/// |      8 |    8 | LSN (log sequence number), consecutive across records and segments |
/// |     16 |    8 | arrival time, Unix milliseconds (signed) |
/// |     24 |    4 | MQTT message id (signed, as libmosquitto gives it) |
/// |     28 |    2 | connection number |
/// |     30 |    2 | topic length in bytes |
/// |     32 |    4 | payload length in bytes |
/// |     36 |    4 | zero (reserved) |
/// |     40 |    t | topic bytes |
/// |   40+t |    p | payload bytes |
/// | 40+t+p |  0–7 | zero padding to the next multiple of 8 |
///
/// Writing fills bytes 4 ..< length first and stores the length field last, as an atomic
/// release store through the mapped memory: a reader after SIGKILL finds either a zero length
/// (nothing) or the whole record. A power cut may write some pages of a record and not others;
/// the CRC catches that. A zero length whose header slot is not all zero is a record torn
/// before its length was stored.
///
/// Threading: stateless.
enum WALRecordLayout {
    static let headerSize = 40
    static let alignment = 8
    /// The largest total length the 32-bit length field can hold (a multiple of 8).
    static let maximumLength = Int(UInt32.max) & ~(alignment - 1)

    private static let lengthOffset = 0
    private static let crcOffset = 4
    private static let lsnOffset = 8
    private static let arrivalOffset = 16
    private static let midOffset = 24
    private static let connectionOffset = 28
    private static let topicLengthOffset = 30
    private static let payloadLengthOffset = 32
    private static let reservedOffset = 36

    /// The total (padded) length of a record with these sizes; nil when it cannot be
    /// represented (topic over 65535 bytes, or total over `maximumLength`).
    @inline(__always)
    static func length(topic: Int, payload: Int) -> Int? {
        guard topic <= Int(UInt16.max), payload <= maximumLength else { return nil }
        let length = (headerSize &+ topic &+ payload &+ (alignment - 1)) & ~(alignment - 1)
        return length <= maximumLength ? length : nil
    }

    /// Writes a whole record of total `length` (from `length(topic:payload:)`) at `record`,
    /// which must be 8-byte aligned with `length` writable bytes, and publishes it by storing
    /// its length last (release).
    @inline(__always)
    static func encode(
        into record: UnsafeMutableRawPointer, length: Int, lsn: UInt64, arrivalMs: Int64, connection: UInt16,
        mid: Int32, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) {
        record.storeBytes(of: lsn.littleEndian, toByteOffset: lsnOffset, as: UInt64.self)
        record.storeBytes(of: arrivalMs.littleEndian, toByteOffset: arrivalOffset, as: Int64.self)
        record.storeBytes(of: mid.littleEndian, toByteOffset: midOffset, as: Int32.self)
        record.storeBytes(of: connection.littleEndian, toByteOffset: connectionOffset, as: UInt16.self)
        record.storeBytes(of: UInt16(truncatingIfNeeded: topic.count).littleEndian, toByteOffset: topicLengthOffset, as: UInt16.self)
        record.storeBytes(of: UInt32(truncatingIfNeeded: payload.count).littleEndian, toByteOffset: payloadLengthOffset, as: UInt32.self)
        record.storeBytes(of: UInt32(0), toByteOffset: reservedOffset, as: UInt32.self)
        var end = headerSize
        if let source = topic.baseAddress, topic.count > 0 {
            (record + end).copyMemory(from: source, byteCount: topic.count)
            end &+= topic.count
        }
        if let source = payload.baseAddress, payload.count > 0 {
            (record + end).copyMemory(from: source, byteCount: payload.count)
            end &+= payload.count
        }
        if end < length { (record + end).initializeMemory(as: UInt8.self, repeating: 0, count: length &- end) }
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: record + lsnOffset, count: length &- lsnOffset))
        record.storeBytes(of: crc.littleEndian, toByteOffset: crcOffset, as: UInt32.self)
        (record + lengthOffset).assumingMemoryBound(to: Atomic<UInt32>.self).pointee
            .store(UInt32(truncatingIfNeeded: length).littleEndian, ordering: .releasing)
    }

    /// What `decode` found at an offset of a segment.
    enum Decoded {
        /// A whole record, valid in every check; the next one starts `length` bytes later.
        case record(WALRecord, length: Int)
        /// The end of the segment's records: a zero length over an empty header slot, or the
        /// end of the file at a record boundary.
        case end
        /// A record torn by a crash (cut short, length never stored, impossible fields), one
        /// failing its CRC, or one whose LSN is not `expectedLSN`.
        case damaged
    }

    /// The record at `offset` (8-byte aligned) of `segment`, the bytes of one segment file;
    /// the record's views point into `segment`.
    static func decode(_ segment: UnsafeRawBufferPointer, at offset: Int, expectedLSN: UInt64?) -> Decoded {
        let remaining = segment.count - offset
        guard remaining > 0, let base = segment.baseAddress else { return .end }
        let record = base + offset
        let slot = UnsafeRawBufferPointer(start: record, count: min(remaining, headerSize))
        guard remaining >= 4 else { return slot.allSatisfy { $0 == 0 } ? .end : .damaged }
        let length = Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: lengthOffset, as: UInt32.self)))
        if length == 0 { return slot.allSatisfy { $0 == 0 } ? .end : .damaged }
        guard length >= headerSize, length % alignment == 0, length <= remaining else { return .damaged }
        let crc = UInt32(littleEndian: record.loadUnaligned(fromByteOffset: crcOffset, as: UInt32.self))
        guard crc == CRC32C.checksum(UnsafeRawBufferPointer(start: record + lsnOffset, count: length - lsnOffset))
        else { return .damaged }
        let lsn = UInt64(littleEndian: record.loadUnaligned(fromByteOffset: lsnOffset, as: UInt64.self))
        let topicCount = Int(UInt16(littleEndian: record.loadUnaligned(fromByteOffset: topicLengthOffset, as: UInt16.self)))
        let payloadCount = Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: payloadLengthOffset, as: UInt32.self)))
        guard expectedLSN.map({ $0 == lsn }) ?? true, Self.length(topic: topicCount, payload: payloadCount) == length
        else { return .damaged }
        let found = WALRecord(
            lsn: lsn,
            arrivalMs: Int64(littleEndian: record.loadUnaligned(fromByteOffset: arrivalOffset, as: Int64.self)),
            connection: UInt16(littleEndian: record.loadUnaligned(fromByteOffset: connectionOffset, as: UInt16.self)),
            mid: Int32(littleEndian: record.loadUnaligned(fromByteOffset: midOffset, as: Int32.self)),
            topic: UnsafeRawBufferPointer(start: record + headerSize, count: topicCount),
            payload: UnsafeRawBufferPointer(start: record + headerSize + topicCount, count: payloadCount))
        return .record(found, length: length)
    }
}
