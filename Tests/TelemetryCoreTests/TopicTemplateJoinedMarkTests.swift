import Testing
import TelemetryCore

/// A pattern is split into segments by character but topics are matched by byte, so a mark
/// joined to `/`, `+`, `#`, `{` or `}` made a template that never matches what it names
/// (found by Fuzz/FuzzTopicTemplate; its corpus keeps the input).
@Suite struct TopicTemplateJoinedMarkTests {
    @Test(arguments: [
        "/\u{651}",                          // the fuzzer's input: a slash and an Arabic shadda
        "vn/\u{301}x/{site}/{device}",       // the slash hidden: two segments seen as one
        "\u{600}/x/{site}/{device}",         // a prepended mark hides the slash the same way
        "vn/{site}/{device}/a+\u{301}",      // a wildcard inside a segment, unseen
        "vn/{site}/{device}/#\u{301}",
        "vn/{site}/{device}/x{\u{301}",
    ])
    func aPatternWithAMarkJoinedToASlashWildcardOrBraceIsRefused(pattern: String) {
        #expect(throws: TopicTemplate.PatternError.self) { try TopicTemplate(pattern: pattern, format: .influx) }
    }

    @Test func aMarkOnALetterOfALiteralIsKeptAndMatchedByByte() throws {
        let t = try TopicTemplate(pattern: "vn/ha\u{301}/{site}/{device}", format: .json)
        #expect(t.segments.first == .literal(Array("vn".utf8)) && t.segments.count == 4)
        let topic = Array("vn/ha\u{301}/s/d".utf8)
        #expect(topic.withUnsafeBytes { t.match($0) } != nil)
    }
}

/// The config spelling `<pattern> <format>` is split at spaces by scalar: a prepended mark
/// (U+0600) before the space joined it into one character (found by Fuzz/FuzzTopicTemplate).
@Suite struct TopicTemplateSpecSplitTests {
    @Test func aSpecWhosePatternEndsInAPrependedMarkGivesThatPattern() throws {
        let t = try TopicTemplate(spec: "nn\u{600} influx")
        #expect(t.pattern == "nn\u{600}" && t.format == .influx)
    }
}
