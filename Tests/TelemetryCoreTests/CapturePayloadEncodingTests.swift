import Testing
@testable import TelemetryCore

/// A capture line's payload as hex (`mosquitto_sub -F '%U %t %x'`), decoded without allocating.
@Suite struct CapturePayloadEncodingTests {
    static func decode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: bytes.count / 2)
        let n = bytes.withUnsafeBytes { t in out.withUnsafeMutableBytes { CapturePayloadEncoding.decodeHex(t, into: $0) } }
        return n.map { Array(out[0..<$0]) }
    }

    @Test func hexDigitsOfEitherCaseDecodeToTheirBytes() {
        #expect(Self.decode("00ff0a7B7d") == [0x00, 0xFF, 0x0A, 0x7B, 0x7D])
        #expect(Self.decode("DEADbeef") == [0xDE, 0xAD, 0xBE, 0xEF])
    }

    @Test func anEmptyPayloadDecodesToNoBytes() {
        #expect(Self.decode("") == [])
    }

    @Test(arguments: ["0", "abc", "0g", "x0", "0 ", "7b\n"])
    func anOddLengthOrANonHexByteIsRefused(text: String) {
        #expect(Self.decode(text) == nil)
    }

    @Test func everyByteRoundTripsThroughAppendHex() {
        let all = (0...255).map(UInt8.init)
        var text: [UInt8] = []
        CapturePayloadEncoding.appendHex(all, to: &text)
        #expect(text.count == 512)
        #expect(String(decoding: text[0..<8], as: UTF8.self) == "00010203")
        #expect(Self.decode(String(decoding: text, as: UTF8.self)) == all)
    }

    @Test func theMosquittoFormatsAreRawPercentPAndHexPercentX() {
        #expect(CapturePayloadEncoding.raw.mosquittoFormat == "%U %t %p")
        #expect(CapturePayloadEncoding.hex.mosquittoFormat == "%U %t %x")
    }
}
