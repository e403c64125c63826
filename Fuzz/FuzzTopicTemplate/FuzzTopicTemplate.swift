// libFuzzer target: `TopicTemplate` parsing of arbitrary patterns and specs, and matching
// of arbitrary topics, checking what a template promises.
//
// Input layout: byte 0 chooses the format (json, value, influx); the bytes up to the first
// newline are the pattern (as a config string: invalid UTF-8 becomes U+FFFD), the bytes
// after it the topic.
import TelemetryCore

/// Stops the run, naming the broken promise (kept in release builds, unlike
/// `precondition`'s message), so that libFuzzer records the input.
private func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}

private let formats: [PayloadFormat] = [.json, .value, .influx]

/// The bytes of `topic` split at `/` (empty segments kept), as the template splits a topic.
private func segmentCount(_ bytes: some Collection<UInt8>) -> Int {
    bytes.split(separator: 0x2F, omittingEmptySubsequences: false).count
}

private func checkMatch(_ template: TopicTemplate, _ topic: UnsafeRawBufferPointer) {
    guard let m = template.match(topic) else { return }
    require(segmentCount(topic) == template.segments.count,
                 "matched a topic of \(segmentCount(topic)) segments with \(template.segments.count)")
    let has = (site: template.segments.contains(.site), device: template.segments.contains(.device),
               metric: template.segments.contains(.metric))
    require(m.hasSite == has.site && m.hasDevice == has.device && m.hasMetric == has.metric,
                 "match flags \(m) for segments \(template.segments)")
    for range in [m.site, m.device, m.metric] {
        require(range.lowerBound >= 0 && range.upperBound <= topic.count, "range \(range) outside the topic")
        require(!topic[range].contains(0x2F), "a tag range spans a '/'")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTopicTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    guard let selector = input.first else { return 0 }
    let format = formats[Int(selector) % formats.count]
    let body = input[1...]
    let newline = body.firstIndex(of: 0x0A) ?? body.endIndex
    let pattern = String(decoding: body[..<newline], as: UTF8.self)
    let topic = UnsafeRawBufferPointer(rebasing: input[min(newline + 1, input.count)...])

    let template: TopicTemplate
    do throws(TopicTemplate.PatternError) {
        template = try TopicTemplate(pattern: pattern, format: format)
    } catch {
        require(error.pattern == pattern, "the error names '\(error.pattern)', not the pattern")
        _ = error.description
        if !pattern.unicodeScalars.contains(" ") {
            require((try? TopicTemplate(spec: "\(pattern) \(format.rawValue)")) == nil,
                         "a spec accepted the refused pattern '\(pattern)'")
        }
        for defaults in TopicTemplate.defaults { checkMatch(defaults, topic) }
        return 0
    }

    require(template.pattern == pattern && template.format == format, "the template changed its pattern")
    require(template.segments.count == segmentCount(pattern.utf8), "segments \(template.segments) of '\(pattern)'")
    let placeholders = template.segments.filter { $0 == .site || $0 == .device || $0 == .metric }
    require(Set(placeholders).count == placeholders.count, "a placeholder appears twice in \(template.segments)")
    switch format {
    case .json: require(placeholders.contains(.site) && placeholders.contains(.device), "json without tags")
    case .value: require(placeholders.count == 3, "value without all three tags")
    case .influx: break
    }
    require((try? TopicTemplate(pattern: pattern, format: format)) == template, "parsing is not deterministic")
    if !pattern.unicodeScalars.contains(" ") {
        require((try? TopicTemplate(spec: "\(pattern) \(format.rawValue)")) == template,
                     "the spec '\(pattern) \(format.rawValue)' does not give the template")
        // The description (which spells the timestamp unit in effect) reads back as the template.
        require((try? TopicTemplate(spec: template.description)) == template,
                     "the description '\(template.description)' does not read back as the template")
    }

    checkMatch(template, topic)

    // The subscription filter (placeholders as `+`) is itself a topic the template matches.
    var filter = template.subscriptionFilter
    require(filter.withUTF8 { template.match(UnsafeRawBufferPointer($0)) } != nil,
                 "the template does not match its own filter '\(filter)'")

    // A topic built from the template, with the input's topic (less its `/`) in every
    // placeholder, matches, and each tag range holds exactly that text.
    let filler = topic.filter { $0 != 0x2F }
    var built: [UInt8] = []
    var expected: [TopicTemplate.Segment: Range<Int>] = [:]
    for (i, segment) in template.segments.enumerated() {
        if i > 0 { built.append(0x2F) }
        switch segment {
        case .literal(let bytes): built += bytes
        case .anySegment: built += filler
        case .site, .device, .metric:
            expected[segment] = built.count..<(built.count + filler.count)
            built += filler
        }
    }
    built.withUnsafeBytes { bytes in
        guard let m = template.match(bytes) else {
            fatalError("the template does not match the topic built from it: \(built)")
        }
        if let r = expected[.site] { require(m.site == r, "site \(m.site), expected \(r)") }
        if let r = expected[.device] { require(m.device == r, "device \(m.device), expected \(r)") }
        if let r = expected[.metric] { require(m.metric == r, "metric \(m.metric), expected \(r)") }
        checkMatch(template, bytes)
    }
    return 0
}
