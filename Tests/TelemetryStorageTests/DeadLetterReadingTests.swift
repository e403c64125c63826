import Testing
import TelemetryCore
import TelemetryTestSupport
@testable import TelemetryStorage

@Suite struct DeadLetterReadingTests {
    @Test func aTextLetterReadsBackAsWritten() throws {
        let letter = DeadLetter(
            receivedMs: 1_764_050_400_123, topic: Array("vn/hanoi/aq-1/telemetry".utf8), reason: .badJSON,
            payload: Array(#"{"pm25": oops}"#.utf8))
        #expect(try DeadLetter(jsonLine: letter.jsonLine().dropLast()) == letter)
    }

    @Test func aBinaryLetterReadsBackFromBase64() throws {
        let letter = DeadLetter(
            receivedMs: 1_764_050_400_000, topic: Array("vn/x".utf8), reason: .notUTF8, payload: [0xFF, 0x00, 0xC3, 0x28, 0x41])
        #expect(try DeadLetter(jsonLine: letter.jsonLine()) == letter)
    }

    @Test func aTruncatedLetterKeepsItsReceivedLength() throws {
        let letter = DeadLetter(
            receivedMs: 0, topic: Array("t".utf8), reason: .tooLarge, payload: [UInt8](repeating: 0x61, count: 10_000))
        let read = try DeadLetter(jsonLine: letter.jsonLine())
        #expect(read.payloadBytes == 10_000)
        #expect(read.payload.count == DeadLetter.keptPayloadBytes)
        #expect(read.isTruncated)
    }

    @Test func anUnknownReasonIsMalformed() {
        #expect(throws: JSONParseError.self) {
            try DeadLetter(jsonLine: Array(#"{"received":"2026-11-24T06:00:00.000Z","topic":"t","reason":"nope","payload":""}"#.utf8))
        }
    }

    @Test(arguments: [[UInt8](), [1], [1, 2], [1, 2, 3], [0xFF, 0xFE, 0xFD, 0xFC]])
    func base64DecodesWhatItEncodes(_ bytes: [UInt8]) {
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }

    @Test func dayFilesAreReadInOrderAndBadLinesCounted() throws {
        let dir = try TemporaryDataDirectory()
        let a = DeadLetter(receivedMs: UTCTimestamp.parse("2026-11-25T01:00:00Z")!, topic: Array("b".utf8), reason: .noTemplate, payload: [0x31])
        let b = DeadLetter(receivedMs: UTCTimestamp.parse("2026-11-24T01:00:00Z")!, topic: Array("a".utf8), reason: .badJSON, payload: [0x32])
        try dir.write("deadletter/2026-11-25.jsonl", String(decoding: a.jsonLine(), as: UTF8.self) + "{torn")
        try dir.write("deadletter/2026-11-24.jsonl", String(decoding: b.jsonLine(), as: UTF8.self) + "\n")
        let contents = try DeadLetterFiles(DataDirectory(dir.path)).read()
        #expect(contents.entries.map(\.letter) == [b, a])
        #expect(contents.malformed.count == 1)
        #expect(try DeadLetterFiles(DataDirectory(dir.path)).read(fromDay: "2026-11-25").entries.map(\.letter) == [a])
    }
}
