import Foundation
import Testing
import TelemetryCore
@testable import TelemetryStorage

private func fields(_ letter: DeadLetter) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(letter.jsonLine())) as! [String: Any]
}

@Suite struct DeadLetterTruncationTests {
    @Test func aTooLargePayloadKeepsItsFirst4KiBAndStatesItsRealLength() throws {
        let payload = Array("{\"v\":\"".utf8) + [UInt8](repeating: 0x61, count: 100_000)
        let o = try fields(DeadLetter(receivedMs: 0, topic: [], reason: .tooLarge, payload: payload))
        #expect(o["payload"] as? String == String(decoding: payload.prefix(4_096), as: UTF8.self))
        #expect(o["payload_truncated"] as? Bool == true)
        #expect((o["payload_bytes"] as? NSNumber)?.intValue == payload.count)
    }

    @Test func aTruncatedTextPayloadIsCutAtACharacterBoundary() throws {
        let payload = Array(String(repeating: "đ", count: 10_000).utf8)  // 2 bytes each; 4096 is mid-character when offset by 1
        let shifted = [0x61] + payload
        let o = try fields(DeadLetter(receivedMs: 0, topic: [], reason: .tooLarge, payload: shifted))
        let text = try #require(o["payload"] as? String)
        #expect(text.utf8.count == 4_095)
        #expect(Array(text.utf8) == Array(shifted.prefix(4_095)))
        #expect((o["payload_bytes"] as? NSNumber)?.intValue == shifted.count)
    }

    @Test func aTooLargeBinaryPayloadKeepsItsFirst4KiBInBase64() throws {
        let payload = [0xFF] + [UInt8](repeating: 0x00, count: 70_000)
        let o = try fields(DeadLetter(receivedMs: 0, topic: [], reason: .tooLarge, payload: payload))
        let kept = try #require((o["payload_base64"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(kept == Data(payload.prefix(4_096)))
        #expect(o["payload_truncated"] as? Bool == true)
    }

    @Test func aPayloadWithinTheLimitIsWrittenWholeWithoutTheTruncationFields() throws {
        let payload = [UInt8](repeating: 0x62, count: 10_000)
        let o = try fields(DeadLetter(receivedMs: 0, topic: [], reason: .badJSON, payload: payload))
        #expect((o["payload"] as? String)?.utf8.count == 10_000)
        #expect(o["payload_truncated"] == nil)
        #expect(o["payload_bytes"] == nil)
    }
}
