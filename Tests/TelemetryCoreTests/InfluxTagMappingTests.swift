import Testing
@testable import TelemetryCore

/// Which line tags are an Influx line's site and device: the template's `site_tag` and
/// `device_tag` (default `site` and `device`); every other tag is ignored.
@Suite struct InfluxTagMappingTests {
    static let tsNs = "1795500000000000000"
    static let telegraf = DecodeHarness.template("vn/+/telegraf influx site_tag=location device_tag=host")
    static let cpuLine = "cpu,cpu=cpu-total,host=web1,location=hanoi usage_idle=97.5,usage_user=1.25 \(tsNs)"

    @Test func telegrafsHostTagIsTheDeviceWithDeviceTagHost() {
        let h = DecodeHarness(templates: [Self.telegraf])
        let o = h.decode("vn/dc1/telegraf", Self.cpuLine)
        #expect(o.reason == nil)
        #expect(o.readings.count == 2)
        for r in o.readings {
            #expect(h.key(r).site == "hanoi")
            #expect(h.key(r).device == "web1")
            #expect(r.eventTimeMs == 1_795_500_000_000)
        }
        #expect(h.metrics(o) == ["cpu.usage_idle": 97.5, "cpu.usage_user": 1.25])
    }

    @Test func withoutTheOptionsATelegrafLineIsBadTag() {
        let h = DecodeHarness(templates: [DecodeHarness.template("vn/+/telegraf influx")])
        #expect(h.decode("vn/dc1/telegraf", Self.cpuLine).reason == .badTag)
    }

    @Test func aLineWithoutTheNamedDeviceTagIsBadTag() {
        let h = DecodeHarness(templates: [Self.telegraf])
        #expect(h.decode("vn/dc1/telegraf", "cpu,location=hanoi,device=web1 usage_idle=1").reason == .badTag)
    }

    @Test func otherTagsAreIgnoredAndDoNotChangeTheSeries() {
        let h = DecodeHarness(templates: [Self.telegraf])
        let plain = h.decode("vn/dc1/telegraf", "cpu,host=web1,location=hanoi usage_idle=1")
        let tagged = h.decode("vn/dc1/telegraf", "cpu,zone=a,host=web1,rack=7,location=hanoi,site=x,device=y usage_idle=2")
        #expect(plain.reason == nil && tagged.reason == nil)
        #expect(tagged.readings.map(\.series) == plain.readings.map(\.series))
        #expect(h.key(tagged.readings[0]) == SeriesKey(site: "hanoi", device: "web1", metric: "cpu.usage_idle"))
    }

    @Test func theTopicsSiteWinsAndTheDeviceComesFromTheNamedTag() {
        let h = DecodeHarness(templates: [DecodeHarness.template("vn/{site}/telegraf influx device_tag=host")])
        let o = h.decode("vn/hcmc/telegraf", "mem,host=db2,site=elsewhere used_percent=41.5")
        #expect(o.reason == nil)
        #expect(h.key(o.readings[0]) == SeriesKey(site: "hcmc", device: "db2", metric: "mem.used_percent"))
    }

    @Test func anEscapedTagKeyMatchesItsUnescapedName() {
        let h = DecodeHarness(templates: [DecodeHarness.template("t influx site_tag=dc device_tag=host")])
        let o = h.decode("t", #"cpu,d\c=hn,ho\st=w1 v=1"#)
        #expect(o.reason == nil)
        #expect(h.key(o.readings[0]) == SeriesKey(site: "hn", device: "w1", metric: "cpu.v"))
    }

    @Test func eachTemplateMapsItsOwnTags() {
        let h = DecodeHarness(templates: [
            Self.telegraf, DecodeHarness.template("vn/+/lines influx"),
        ])
        let a = h.decode("vn/x/telegraf", "m,location=s1,host=d1 v=1")
        let b = h.decode("vn/x/lines", "m,site=s2,device=d2,host=ignored v=1")
        #expect(h.key(a.readings[0]) == SeriesKey(site: "s1", device: "d1", metric: "m.v"))
        #expect(h.key(b.readings[0]) == SeriesKey(site: "s2", device: "d2", metric: "m.v"))
    }

    @Test func everyLineOfABatchTakesItsOwnTags() {
        let h = DecodeHarness(templates: [Self.telegraf])
        let batch = "cpu,host=web1,location=hanoi usage_idle=90\n"
            + "cpu,host=web2,location=hcmc usage_idle=80\n"
            + "mem,host=web1,location=hanoi used_percent=40.5\n"
        let o = h.decode("vn/dc1/telegraf", batch)
        #expect(o.reason == nil)
        #expect(o.readings.map { h.key($0) } == [
            SeriesKey(site: "hanoi", device: "web1", metric: "cpu.usage_idle"),
            SeriesKey(site: "hcmc", device: "web2", metric: "cpu.usage_idle"),
            SeriesKey(site: "hanoi", device: "web1", metric: "mem.used_percent"),
        ])
    }

    @Test func linesDifferingOnlyInAnIgnoredTagAreReadingsOfOneSeries() {
        let h = DecodeHarness(templates: [Self.telegraf])
        let o = h.decode("vn/dc1/telegraf", "cpu,cpu=cpu0,host=web1,location=hanoi usage_idle=90\n"
            + "cpu,cpu=cpu1,host=web1,location=hanoi usage_idle=80\n")
        #expect(o.reason == nil)
        #expect(o.readings.count == 2)
        #expect(o.readings[0].series == o.readings[1].series)
        #expect(o.readings.map(\.value) == [90, 80])
    }
}
