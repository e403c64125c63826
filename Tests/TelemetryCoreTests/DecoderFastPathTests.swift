import Testing
@testable import TelemetryCore

/// The decode hot path's shortcuts against the general code they stand in for: each property
/// test runs both on many random inputs (most of them near the shortcut's edge) and fails on
/// the first input where they disagree.
@Suite struct DecoderFastPathTests {
    // MARK: ByteSearch

    /// The first index of `byte` in `bytes[from..<end]`, one byte at a time.
    static func naiveIndex(of byte: UInt8, in bytes: [UInt8], from: Int, to end: Int) -> Int {
        var i = from
        while i < end, bytes[i] != byte { i += 1 }
        return i
    }

    @Test func byteSearchFindsTheFirstOccurrenceLikeAByteLoop() {
        var rng = SplitMix64(seed: 3)
        var mismatches: [String] = []
        // Alphabets where the byte is rare, common, or next to values that trip the word test
        // (0x2E, 0x30 around 0x2F; 0xAF has the same low seven bits; 0x00 and 0x01 borrow).
        let alphabet: [UInt8] = [0x2F, 0x2E, 0x30, 0xAF, 0x00, 0x01, 0x61, 0xFF, 0x80, 0x7F]
        for _ in 0..<50_000 {
            let n = Int.random(in: 0...40, using: &rng)
            let slashes = Int.random(in: 0...3, using: &rng)
            var bytes = (0..<n).map { _ in alphabet[Int.random(in: 1..<alphabet.count, using: &rng)] }
            for _ in 0..<slashes where n > 0 { bytes[Int.random(in: 0..<n, using: &rng)] = 0x2F }
            let from = Int.random(in: 0...n, using: &rng)
            let end = Int.random(in: from...n, using: &rng)
            let expected = Self.naiveIndex(of: 0x2F, in: bytes, from: from, to: end)
            let found = bytes.withUnsafeBytes { ByteSearch.firstIndex(of: 0x2F, in: $0, from: from, to: end) }
            if found != expected { mismatches.append("\(bytes) \(from)..<\(end): \(found) vs \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(3))")
    }

    @Test(arguments: [UInt8(0x20), 0x2F, 0x00, 0xFF, 0x80])
    func byteSearchFindsEveryByteValue(_ byte: UInt8) {
        var bytes = [UInt8](repeating: byte &+ 1, count: 37)
        for position in 0..<bytes.count {
            bytes[position] = byte
            let found = bytes.withUnsafeBytes { ByteSearch.firstIndex(of: byte, in: $0, from: 0, to: $0.count) }
            #expect(found == position)
            bytes[position] = byte &+ 1
        }
        let none = bytes.withUnsafeBytes { ByteSearch.firstIndex(of: byte, in: $0, from: 0, to: $0.count) }
        #expect(none == bytes.count)
    }

    // MARK: TopicMatcher

    @Test func topicMatcherAgreesWithTopicTemplateOnRandomTopics() throws {
        let templates = try [
            TopicTemplate(pattern: "vn/{site}/{device}/telemetry", format: .json),
            TopicTemplate(pattern: "vn/{site}/{device}/{metric}", format: .value),
            TopicTemplate(pattern: "plant/+/{site}/{device}/x/{metric}", format: .value),
            TopicTemplate(pattern: "{site}/influx", format: .influx),
        ]
        let matcher = TopicMatcher(templates)
        var rng = SplitMix64(seed: 5)
        let words = ["vn", "hanoi", "pm-hanoi-004-long-device-name", "telemetry", "plant", "x", "influx", "", "a/b", "//", "hcmc"]
        var mismatches: [String] = []
        var matched = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...6, using: &rng)
            let topic = (0..<count).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }.joined(separator: "/")
            var bytes = Array(topic.utf8)
            let (found, expected) = bytes.withUnsafeMutableBytes { raw -> (TopicMatcher.Found?, (Int, TopicTemplate.Match)?) in
                let t = UnsafeRawBufferPointer(raw)
                let reference = templates.indices.lazy.compactMap { i in templates[i].match(t).map { (i, $0) } }.first
                return (matcher.first(matching: t), reference)
            }
            if found?.template != expected?.0 || found?.match != expected?.1 {
                mismatches.append(topic)
            } else if found != nil {
                matched += 1
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(3))")
        #expect(matched > 300, "only \(matched) topics matched a template")
    }

    // MARK: UTCTimestamp

    /// A text of the canonical shape `YYYY-MM-DDTHH:MM:SS.mmmZ`, its fields sometimes out of
    /// range (month 13, day 31 in April, 29 February, second 60) or not digits.
    static func randomCanonicalText(_ rng: inout SplitMix64) -> String {
        func field(_ width: Int, _ range: ClosedRange<Int>) -> String {
            let v = Int.random(in: range, using: &rng)
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = field(4, 0...9999) + "-" + field(2, 0...13) + "-" + field(2, 0...31) + "T"
            + field(2, 0...24) + ":" + field(2, 0...60) + ":" + field(2, 0...61) + "." + field(3, 0...999) + "Z"
        if Int.random(in: 0..<10, using: &rng) == 0 {
            var bytes = Array(text.utf8)
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [0x2F, 0x3A, 0x41, 0x20, 0x2D][Int.random(in: 0..<5, using: &rng)]
            text = String(decoding: bytes, as: UTF8.self)
        }
        return text
    }

    @Test func canonicalTimestampFastPathEqualsTheGeneralParser() {
        var rng = SplitMix64(seed: 13)
        var mismatches: [String] = []
        var taken = 0
        for _ in 0..<100_000 {
            let text = Self.randomCanonicalText(&rng)
            var s = text
            let (fast, general) = s.withUTF8 { u -> (Int64?, Int64?) in
                let b = UnsafeRawBufferPointer(u)
                return (UTCTimestamp.parseCanonical(b), UTCTimestamp.parseGeneral(b))
            }
            if fast != nil { taken += 1 }
            // The fast path may leave a text to the general parser, never answer differently.
            if let fast, fast != general { mismatches.append("\(text): fast \(fast) vs general \(String(describing: general))") }
            // (A space for the `T` is valid RFC 3339 but not the canonical form.)
            if fast == nil, general != nil, !text.contains(" ") {
                mismatches.append("\(text): canonical but left to the general parser")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, e.g. \(mismatches.prefix(5))")
        #expect(taken > 20_000, "the fast path took only \(taken) texts")
    }

    @Test(arguments: ["2026-11-24T00:00:00.003Z", "2024-02-29T23:59:60.999Z", "0000-01-01T00:00:00.000Z"])
    func canonicalTimestampFastPathTakesValidTexts(_ text: String) {
        var s = text
        let fast = s.withUTF8 { UTCTimestamp.parseCanonical(UnsafeRawBufferPointer($0)) }
        #expect(fast != nil && fast == UTCTimestamp.parse(text))
    }

    @Test(arguments: ["2025-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-11-24t00:00:00.003Z",
                      "2026-11-24T00:00:00.003z", "2026-11-24T24:00:00.000Z", "2026-11-24 00:00:00.003Z"])
    func canonicalTimestampFastPathLeavesOtherTextsToTheGeneralParser(_ text: String) {
        var s = text
        #expect(s.withUTF8 { UTCTimestamp.parseCanonical(UnsafeRawBufferPointer($0)) } == nil)
    }
}
