import Foundation
import Testing
import TelemetryCore
import TelemetryStorage
import TelemetryTestSupport
@testable import TelemetryInspect

/// `telemetryctl devices`: which devices are shown, in which order, and how.
@Suite struct DeviceListingTests {
    /// A small fleet: one fast clock, one slow, one quiet for 20 minutes, one with late data,
    /// one with gaps, and two healthy ones.
    static let fleet: [DeviceHealth] = [
        makeDevice(site: "hanoi", device: "aq-hanoi-001", lastArrival: "2026-11-24T06:00:00.000Z", messages: 500),
        makeDevice(site: "hanoi", device: "aq-hanoi-002", lastArrival: "2026-11-24T05:59:58.000Z", offsetMs: 240_000,
                   messages: 480),
        makeDevice(site: "hanoi", device: "aq-hanoi-003", lastArrival: "2026-11-24T05:40:00.000Z", messages: 20),
        makeDevice(site: "hcmc", device: "pm-hcmc-001", lastArrival: "2026-11-24T05:59:59.000Z", offsetMs: -602_000,
                   messages: 490, tooLate: 12, deadLetters: 12),
        makeDevice(site: "hcmc", device: "pm-hcmc-002", lastArrival: "2026-11-24T05:59:57.000Z", messages: 700,
                   late: ["10s": 30, "1m": 2, "1h": 0]),
        makeDevice(site: "danang", device: "wl-danang-001", lastArrival: "2026-11-24T05:59:50.000Z", messages: 300, gaps: 5,
                   deadLetters: 1),
        makeDevice(site: "danang", device: "wl-danang-002", lastArrival: "2026-11-24T05:59:59.500Z", offsetMs: -30_000,
                   messages: 310, duplicates: 40),
    ]

    static var contents: DeviceHealthFile.Contents {
        DeviceHealthFile.Contents(lines: fleet.sorted(by: DeviceHealth.fileOrder).map {
            DeviceHealthFile.Line(health: $0, text: $0.jsonLine())
        })
    }

    func devices(_ listing: DeviceListing) -> [String] {
        listing.select(from: Self.contents).lines.map(\.health.device)
    }

    // MARK: filters

    @Test func withoutFiltersEveryDeviceIsShownBySiteThenDevice() {
        #expect(devices(DeviceListing()) == [
            "wl-danang-001", "wl-danang-002", "aq-hanoi-001", "aq-hanoi-002", "aq-hanoi-003", "pm-hcmc-001", "pm-hcmc-002",
        ])
    }

    @Test func siteAndDeviceMatchExactlyAsInTheOtherCommands() {
        #expect(devices(DeviceListing(filter: DeviceFilter(sites: ["hcmc"]))) == ["pm-hcmc-001", "pm-hcmc-002"])
        #expect(devices(DeviceListing(filter: DeviceFilter(sites: ["hcm"]))) == [])
        let values = RollupFilter.values(["aq-hanoi-001,pm-hcmc-002", "wl-danang-001"])
        #expect(devices(DeviceListing(filter: DeviceFilter(devices: values))) == ["wl-danang-001", "aq-hanoi-001", "pm-hcmc-002"])
        #expect(devices(DeviceListing(filter: DeviceFilter(sites: ["hanoi"], devices: ["pm-hcmc-001"]))) == [])
    }

    @Test func quietForIsMeasuredFromTheNewestArrivalInTheFile() {
        let listing = DeviceListing(filter: DeviceFilter(quietForMs: 5_000))
        #expect(listing.select(from: Self.contents).asOfMs == ms("2026-11-24T06:00:00Z"))
        #expect(devices(listing) == ["wl-danang-001", "aq-hanoi-003"])
        #expect(devices(DeviceListing(filter: DeviceFilter(quietForMs: 10 * 60_000))) == ["aq-hanoi-003"])
    }

    @Test func quietForIsStrictlyLongerThanTheDuration() {
        #expect(devices(DeviceListing(filter: DeviceFilter(quietForMs: 20 * 60_000))) == [])
        #expect(devices(DeviceListing(filter: DeviceFilter(quietForMs: 20 * 60_000 - 1))) == ["aq-hanoi-003"])
    }

    @Test func asOfReplacesTheReferenceTime() {
        let listing = DeviceListing(filter: DeviceFilter(quietForMs: 60 * 60_000), asOfMs: ms("2026-11-24T08:00:00Z"))
        #expect(devices(listing).count == Self.fleet.count)
    }

    @Test func filteringDoesNotChangeTheReferenceTime() {
        let result = DeviceListing(filter: DeviceFilter(sites: ["danang"])).select(from: Self.contents)
        #expect(result.asOfMs == ms("2026-11-24T06:00:00Z"))
        #expect(result.total == Self.fleet.count)
    }

    @Test func aDeviceNeverHeardFromIsQuiet() {
        var never = makeDevice(device: "never")
        never.lastArrivalMs = DeviceHealth.never
        #expect(DeviceFilter.isQuiet(never, forMs: 1_000_000, asOfMs: ms("2026-11-24T06:00:00Z")))
    }

    @Test func problemsAreLateDataDeadLettersGapsRestartsAndClocksOffByMoreThanAMinute() {
        #expect(devices(DeviceListing(filter: DeviceFilter(problemsOnly: true))) == [
            "wl-danang-001", "aq-hanoi-002", "pm-hcmc-001", "pm-hcmc-002",
        ])
        #expect(DeviceFilter.hasProblem(makeDevice(restarts: 1)))
        #expect(DeviceFilter.hasProblem(makeDevice(offsetMs: -60_001)))
        #expect(!DeviceFilter.hasProblem(makeDevice(offsetMs: 60_000)))
        #expect(!DeviceFilter.hasProblem(makeDevice(duplicates: 40)))
    }

    @Test func filtersCombine() {
        #expect(devices(DeviceListing(filter: DeviceFilter(sites: ["danang"], quietForMs: 5_000, problemsOnly: true)))
                == ["wl-danang-001"])
    }

    // MARK: sorting and limit

    @Test func offsetSortsByTheLargestOffsetEitherWayFirst() {
        #expect(devices(DeviceListing(sort: .offset, limit: 3)) == ["pm-hcmc-001", "aq-hanoi-002", "wl-danang-002"])
    }

    @Test func anUnknownOffsetSortsLast() {
        var unknown = makeDevice(device: "unknown")
        unknown.clockOffsetMs = .nan
        #expect(DeviceSort.offset.areInIncreasingOrder(makeDevice(device: "z", offsetMs: 0), unknown))
        #expect(!DeviceSort.offset.areInIncreasingOrder(unknown, makeDevice(device: "z", offsetMs: 0)))
    }

    @Test func lastSeenSortsTheOldestFirst() {
        #expect(devices(DeviceListing(sort: .lastSeen, limit: 3)) == ["aq-hanoi-003", "wl-danang-001", "pm-hcmc-002"])
    }

    @Test func countsSortTheLargestFirst() {
        #expect(devices(DeviceListing(sort: .messages, limit: 2)) == ["pm-hcmc-002", "aq-hanoi-001"])
        #expect(devices(DeviceListing(sort: .tooLate, limit: 1)) == ["pm-hcmc-001"])
        #expect(devices(DeviceListing(sort: .late, limit: 1)) == ["pm-hcmc-002"])
        #expect(devices(DeviceListing(sort: .deadLetters, limit: 2)) == ["pm-hcmc-001", "wl-danang-001"])
        #expect(devices(DeviceListing(sort: .gaps, limit: 1)) == ["wl-danang-001"])
    }

    @Test func tiesAreBrokenBySiteThenDevice() {
        #expect(devices(DeviceListing(sort: .gaps)).dropFirst() == [
            "wl-danang-002", "aq-hanoi-001", "aq-hanoi-002", "aq-hanoi-003", "pm-hcmc-001", "pm-hcmc-002",
        ])
    }

    @Test func theLimitAppliesAfterFiltersAndSorting() {
        #expect(devices(DeviceListing(filter: DeviceFilter(sites: ["hanoi"]), sort: .offset, limit: 1)) == ["aq-hanoi-002"])
    }

    @Test func sortKeysAreSpelledAsTheCommandLineTakesThem() {
        #expect(DeviceSort.allCases.map(\.rawValue) == [
            "device", "offset", "last-seen", "messages", "too-late", "late", "dead-letters", "gaps",
        ])
    }

    // MARK: formats

    func render(_ format: OutputFormat, _ listing: DeviceListing = DeviceListing()) -> [String] {
        DeviceHealthFormatter.render(listing.select(from: Self.contents), format: format)
    }

    @Test func jsonIsTheFilesLinesAsTheyAre() {
        let line = #"{"site":"x","device":"y","future_key":[1,2],"last_arrival":null}"#
        let result = DeviceListingResult(
            lines: [DeviceHealthFile.Line(health: makeDevice(), text: line)], asOfMs: nil, total: 1, malformed: .init())
        #expect(DeviceHealthFormatter.render(result, format: .json) == [line])
        #expect(render(.json, DeviceListing(sort: .offset, limit: 1)) == [Self.fleet[3].jsonLine()])
    }

    @Test func csvHasAHeaderAndAColumnPerWindowBySize() {
        let lines = render(.csv, DeviceListing(devices: ["pm-hcmc-002"]))
        #expect(lines == [
            "site,device,last_arrival,last_event,watermark,clock_offset_s,messages,readings,duplicates,gaps,restarts,"
                + "too_late,late_10s,late_1m,late_1h,dead_letters,open_windows",
            "hcmc,pm-hcmc-002,2026-11-24T05:59:57.000Z,2026-11-24T05:59:57.120Z,2026-11-24T05:59:57.120Z,0.12,700,2100,"
                + "0,0,0,0,30,2,0,0,3",
        ])
    }

    @Test func csvQuotesNamesAndLeavesUnknownTimesEmpty() {
        var d = makeDevice(site: "Hà Nội", device: "trạm, \"1\"", offsetMs: -602_500)
        d.watermarkMs = DeviceHealth.never
        let line = DeviceHealthFormatter.csvLine(d, windows: ["10s"])
        #expect(line.hasPrefix("\"Hà Nội\",\"trạm, \"\"1\"\"\",2026-11-24T06:00:00.000Z,"))
        #expect(line.contains(",,-602.5,"))
    }

    @Test func theTableShowsAgesAndSignedOffsets() throws {
        let lines = render(.table)
        #expect(lines[0].hasPrefix("site"))
        #expect(lines[0].contains("last seen") && lines[0].contains("offset") && lines[0].contains("dead letters"))
        let fast = try #require(lines.first { $0.contains("aq-hanoi-002") })
        #expect(fast.contains("2s ago") && fast.contains("+4m00s"))
        let slow = try #require(lines.first { $0.contains("pm-hcmc-001") })
        #expect(slow.contains("1s ago") && slow.contains("-10m02s"))
        let quiet = try #require(lines.first { $0.contains("aq-hanoi-003") })
        #expect(quiet.contains("20m00s ago"))
        let late = try #require(lines.first { $0.contains("pm-hcmc-002") })
        #expect(late.contains(" 32 "))
    }

    @Test func offsetsAreCompactAndSigned() {
        #expect(DeviceHealthFormatter.offset(ms: 240_000) == "+4m00s")
        #expect(DeviceHealthFormatter.offset(ms: -602_000) == "-10m02s")
        #expect(DeviceHealthFormatter.offset(ms: 400) == "+0.4s")
        #expect(DeviceHealthFormatter.offset(ms: -9_500) == "-9.5s")
        #expect(DeviceHealthFormatter.offset(ms: 9_960) == "+10s")
        #expect(DeviceHealthFormatter.offset(ms: 42_400) == "+42s")
        #expect(DeviceHealthFormatter.offset(ms: 7_380_000) == "+2h03m")
        #expect(DeviceHealthFormatter.offset(ms: -273_600_000) == "-3d04h")
        #expect(DeviceHealthFormatter.offset(ms: 40) == "0.0s")
        #expect(DeviceHealthFormatter.offset(ms: -40) == "0.0s")
        #expect(DeviceHealthFormatter.offset(ms: .nan) == "-")
    }

    @Test func agesAreRoundedDownAndSayNeverWhenUnknown() {
        let t = ms("2026-11-24T06:00:00Z")
        #expect(DeviceHealthFormatter.age(lastMs: t - 3_900, asOfMs: t) == "3s ago")
        #expect(DeviceHealthFormatter.age(lastMs: t - 250_000, asOfMs: t) == "4m10s ago")
        #expect(DeviceHealthFormatter.age(lastMs: t, asOfMs: t) == "0s ago")
        #expect(DeviceHealthFormatter.age(lastMs: t + 5_000, asOfMs: t) == "in 5s")
        #expect(DeviceHealthFormatter.age(lastMs: DeviceHealth.never, asOfMs: t) == "never")
        #expect(DeviceHealthFormatter.age(lastMs: t, asOfMs: nil) == "never")
    }

    @Test func hostileNamesReachTheTableEscaped() {
        let hostile = ["esc\u{1B}[31mred", "bel\u{07}ring", "csi\u{9B}2J", "rlo\u{202E}txt", "nl\nx"]
        let result = DeviceListingResult(
            lines: hostile.map { let d = makeDevice(site: $0, device: $0); return .init(health: d, text: d.jsonLine()) },
            asOfMs: nil, total: hostile.count, malformed: .init())
        let table = DeviceHealthFormatter.render(result, format: .table).joined(separator: "\n")
        #expect(table.contains("esc\\u{1B}[31mred") && table.contains("rlo\\u{202E}txt"))
        for format in OutputFormat.allCases {
            let text = DeviceHealthFormatter.render(result, format: format)
                .map { TerminalSafeText.forTerminal($0, format: format) }.joined(separator: "\n")
            #expect(!text.unicodeScalars.contains { TerminalSafeText.isUnsafe($0) && $0 != "\n" }, "\(format)")
        }
    }

    // MARK: the file

    @Test func aMissingFileSaysWhoWritesItAndWhere() throws {
        let dir = try TemporaryDataDirectory()
        do {
            _ = try DeviceListing().run(dataDirectory: dir.path)
            Issue.record("expected an error")
        } catch {
            #expect(error == .devicesMissing(dataDirectory: dir.path))
            #expect(error.description == "no devices.jsonl in \(dir.path) — telemetryd writes it every status interval; "
                + "is it running with --data-dir \(dir.path)?")
        }
    }

    @Test func theFileIsReadFromTheDataDirectory() throws {
        let dir = try TemporaryDataDirectory()
        try DeviceHealthFile(DataDirectory(dir.path)).write(Self.fleet)
        let result = try DeviceListing(sort: .offset, limit: 2).run(dataDirectory: dir.path)
        #expect(result.lines.map(\.health.device) == ["pm-hcmc-001", "aq-hanoi-002"])
        #expect(result.malformedSummary == nil)
    }

    @Test func malformedLinesAreSkippedWithOneWarning() throws {
        let dir = try TemporaryDataDirectory()
        let path = try dir.write("devices.jsonl", Self.fleet[0].jsonLine() + "\n{oops\n")
        let result = try DeviceListing().run(dataDirectory: dir.path)
        #expect(result.lines.count == 1)
        #expect(result.malformedSummary == "warning: skipped 1 malformed device line (first at \(path):2)")
    }

    @Test func aBadDurationOrSortSaysWhatIsExpected() throws {
        #expect(throws: InspectError.invalidDuration(option: "--quiet-for", text: "ten")) {
            try TimeArgument.parseDuration("ten", option: "--quiet-for")
        }
        #expect(try TimeArgument.parseDuration("1h30m", option: "--quiet-for") == 5_400_000)
        #expect(InspectError.invalidSort("size").description.contains("last-seen"))
        #expect(InspectError.invalidDuration(option: "--quiet-for", text: "ten").description.contains("10m"))
    }
}

extension DeviceListing {
    /// A listing of the named devices only.
    fileprivate init(devices: Set<String>) {
        self.init(filter: DeviceFilter(devices: devices))
    }
}
