import Testing
@testable import TelemetryCore

/// The `key=value` options after a template spec's format: `ts_unit` (json), `precision`,
/// `site_tag` and `device_tag` (influx).
@Suite struct TopicTemplateOptionsTests {
    static func problem(_ spec: String) -> String? {
        do throws(TopicTemplate.PatternError) {
            _ = try TopicTemplate(spec: spec)
            return nil
        } catch {
            #expect(error.pattern == spec, "the error names '\(error.pattern)', not the template")
            return error.problem
        }
    }

    @Test func withoutOptionsJSONIsAutoAndInfluxIsNanoseconds() throws {
        #expect(try TopicTemplate(spec: "vn/{site}/{device}/telemetry json").timestampUnit == .auto)
        #expect(try TopicTemplate(spec: "vn/{site}/influx influx").timestampUnit == .nanoseconds)
        #expect(try TopicTemplate(pattern: "vn/{site}/influx", format: .influx).timestampUnit == .nanoseconds)
    }

    @Test(arguments: [("auto", TimestampUnit.auto), ("s", .seconds), ("ms", .milliseconds), ("us", .microseconds), ("ns", .nanoseconds)])
    func tsUnitSetsTheUnitOfAJSONTemplate(text: String, unit: TimestampUnit) throws {
        let t = try TopicTemplate(spec: "vn/{site}/{device}/telemetry json ts_unit=\(text)")
        #expect(t.timestampUnit == unit)
        #expect(t.pattern == "vn/{site}/{device}/telemetry" && t.format == .json)
    }

    @Test(arguments: [("ns", TimestampUnit.nanoseconds), ("us", .microseconds), ("ms", .milliseconds), ("s", .seconds), ("auto", .auto)])
    func precisionSetsTheUnitOfAnInfluxTemplate(text: String, unit: TimestampUnit) throws {
        #expect(try TopicTemplate(spec: "  vn/{site}/influx   influx  precision=\(text) ").timestampUnit == unit)
    }

    @Test func theDescriptionShowsTheUnitInEffectAndReadsBackAsTheSameTemplate() throws {
        for spec in ["vn/{site}/{device}/telemetry json", "vn/{site}/{device}/t json ts_unit=s",
                     "vn/{site}/influx influx", "lines influx precision=ms", "vn/{site}/{device}/{metric} value"] {
            let t = try TopicTemplate(spec: spec)
            #expect(try TopicTemplate(spec: t.description) == t, "\(spec)")
        }
        #expect(try TopicTemplate(spec: "vn/{site}/{device}/t json ts_unit=s").description == "vn/{site}/{device}/t json ts_unit=s")
        #expect(try TopicTemplate(spec: "vn/{site}/influx influx").description == "vn/{site}/influx influx precision=ns")
        #expect(try TopicTemplate(spec: "vn/{site}/{device}/{metric} value").description == "vn/{site}/{device}/{metric} value")
    }

    @Test func templatesDifferingOnlyInUnitAreDifferent() throws {
        #expect(try TopicTemplate(spec: "a/{site}/{device} json ts_unit=s") != TopicTemplate(spec: "a/{site}/{device} json ts_unit=ms"))
    }

    @Test func anOptionOfTheOtherFormatIsRefusedNamingWhatTheTemplateTakes() {
        let json = Self.problem("vn/{site}/{device}/telemetry json precision=s")
        #expect(json?.contains("precision is an option of influx templates") == true, "\(json ?? "")")
        #expect(json?.contains("ts_unit=auto|s|ms|us|ns") == true)
        let influx = Self.problem("vn/{site}/influx influx ts_unit=s")
        #expect(influx?.contains("ts_unit is an option of json templates") == true, "\(influx ?? "")")
        #expect(influx?.contains("precision=ns|us|ms|s|auto") == true)
    }

    @Test func aValueTemplateTakesNoOptions() {
        #expect(Self.problem("vn/{site}/{device}/{metric} value ts_unit=s")?.contains("a value template takes no options") == true)
        #expect(throws: TopicTemplate.PatternError.self) {
            try TopicTemplate(pattern: "vn/{site}/{device}/{metric}", format: .value, timestampUnit: .seconds)
        }
    }

    @Test func anUnknownOptionIsRefused() {
        let p = Self.problem("vn/{site}/{device}/telemetry json unit=s")
        #expect(p?.contains("unknown option 'unit'") == true, "\(p ?? "")")
        #expect(p?.contains("ts_unit=") == true)
    }

    @Test(arguments: ["sec", "S", "", "millis", "µs"])
    func aUnitThatIsNotOneIsRefused(value: String) {
        let p = Self.problem("vn/{site}/{device}/telemetry json ts_unit=\(value)")
        #expect(p?.contains("ts_unit=\(value) is not a unit") == true, "\(p ?? "")")
        #expect(p?.contains("auto|s|ms|us|ns") == true)
    }

    @Test(arguments: ["ts_unit", "=s", "ts_unit:s"])
    func anOptionThatIsNotKeyEqualsValueIsRefused(option: String) {
        #expect(Self.problem("vn/{site}/{device}/telemetry json \(option)")?.contains("is not key=value") == true)
    }

    @Test func anOptionGivenTwiceIsRefused() {
        #expect(Self.problem("vn/{site}/{device}/telemetry json ts_unit=s ts_unit=s")?.contains("given twice") == true)
    }

    @Test func aBadPatternIsStillRefusedWithOptions() {
        #expect(throws: TopicTemplate.PatternError(pattern: "vn/{site}/telemetry", problem: "a json template needs {site} and {device}")) {
            try TopicTemplate(spec: "vn/{site}/telemetry json ts_unit=s")
        }
    }

    /// The problem `init(spec:)` gives, whichever of spec or pattern the error names.
    static func anyProblem(_ spec: String) -> String? {
        do throws(TopicTemplate.PatternError) {
            _ = try TopicTemplate(spec: spec)
            return nil
        } catch {
            return error.problem
        }
    }

    @Test func siteTagAndDeviceTagNameTheTagsOfAnInfluxTemplate() throws {
        let t = try TopicTemplate(spec: "vn/+/telegraf influx site_tag=location device_tag=host")
        #expect(t.siteTag == "location" && t.deviceTag == "host")
        #expect(t.timestampUnit == .nanoseconds)
        let plain = try TopicTemplate(spec: "vn/+/lines influx")
        #expect(plain.siteTag == "site" && plain.deviceTag == "device")
    }

    @Test func theDescriptionShowsATagOptionOnlyWhenItIsNotTheDefault() throws {
        let t = try TopicTemplate(spec: "vn/+/telegraf influx device_tag=host site_tag=location")
        #expect(t.description == "vn/+/telegraf influx precision=ns site_tag=location device_tag=host")
        #expect(try TopicTemplate(spec: t.description) == t)
        #expect(try TopicTemplate(spec: "vn/{site}/t influx device_tag=host").description == "vn/{site}/t influx precision=ns device_tag=host")
    }

    @Test func templatesDifferingOnlyInATagOptionAreDifferent() throws {
        #expect(try TopicTemplate(spec: "t influx device_tag=host") != TopicTemplate(spec: "t influx device_tag=hostname"))
    }

    @Test func aTagOptionOnAJSONOrValueTemplateIsRefusedAsAnInfluxOption() {
        let json = Self.problem("vn/{site}/{device}/telemetry json device_tag=host")
        #expect(json?.contains("device_tag is an option of influx templates") == true, "\(json ?? "")")
        let value = Self.problem("vn/{site}/{device}/{metric} value site_tag=x")
        #expect(value?.contains("site_tag is an option of influx templates") == true, "\(value ?? "")")
    }

    @Test func aTagOptionForATagThePatternNamesIsRefused() {
        #expect(Self.anyProblem("vn/{site}/t influx site_tag=location")?.contains("site_tag is for a pattern without {site}") == true)
        #expect(Self.anyProblem("vn/{site}/{device}/t influx device_tag=host")?.contains("device_tag is for a pattern without {device}") == true)
    }

    @Test func siteAndDeviceFromTheSameTagAreRefused() {
        #expect(Self.anyProblem("t influx site_tag=host device_tag=host")?.contains("both name 'host'") == true)
        #expect(Self.anyProblem("t influx device_tag=site")?.contains("both name 'site'") == true)
        #expect(Self.anyProblem("t influx site_tag=device")?.contains("both name 'device'") == true)
    }

    @Test(arguments: ["", "a,b", "a=b", #"a"b"#, #"a\b"#])
    func aTagOptionThatIsNotATagKeyIsRefused(name: String) {
        let p = Self.anyProblem("t influx device_tag=\(name)")
        #expect(p?.contains("device_tag=\(name) is not a tag name") == true, "\(p ?? "")")
    }

    @Test func aTagOptionGivenTwiceIsRefused() {
        #expect(Self.problem("t influx device_tag=host device_tag=host")?.contains("device_tag is given twice") == true)
    }

    @Test func anUnknownInfluxOptionListsTheTagOptions() {
        let p = Self.problem("t influx host_tag=host")
        #expect(p?.contains("site_tag=<tag> and device_tag=<tag>") == true, "\(p ?? "")")
    }
}
