import Foundation
import Testing
@testable import TelemetryCore

/// `devices.jsonl`: the line format of ``DeviceHealth`` (written with `JSONWriter`, read with
/// `JSONLexer`).
@Suite struct DeviceHealthTests {
    /// 2026-11-24T06:00:00Z.
    static let t0: Int64 = 1_795_500_000_000

    static func sample(
        site: String = "hanoi", device: String = "aq-hanoi-001", offsetMs: Double = 240_000,
        late: [String: Int] = ["1h": 0, "10s": 7, "1m": 2]
    ) -> DeviceHealth {
        DeviceHealth(
            site: site, device: device, lastArrivalMs: t0, lastEventMs: t0 + 240_000, watermarkMs: t0 + 240_500,
            clockOffsetMs: offsetMs, messages: 2_400, readings: 7_200, duplicates: 3, gaps: 4, restarts: 1,
            tooLate: 5, lateByWindow: late, deadLetters: 6, openWindows: 9)
    }

    static func read(_ line: String) -> Result<DeviceHealth, JSONParseError> {
        do throws(JSONParseError) { return .success(try DeviceHealth(jsonLine: Array(line.utf8))) } catch { return .failure(error) }
    }

    @Test func aLineHasEveryKeyInTheDocumentedOrder() {
        #expect(Self.sample().jsonLine() == """
            {"site":"hanoi","device":"aq-hanoi-001","last_arrival":"2026-11-24T06:00:00.000Z",\
            "last_event":"2026-11-24T06:04:00.000Z","watermark":"2026-11-24T06:04:00.500Z","clock_offset_s":240.0,\
            "messages":2400,"readings":7200,"duplicates":3,"gaps":4,"restarts":1,"too_late":5,\
            "late_by_window":{"10s":7,"1m":2,"1h":0},"dead_letters":6,"open_windows":9}
            """)
    }

    @Test func theClockOffsetIsInSecondsAlwaysWithADecimalPoint() {
        #expect(Self.sample(offsetMs: 0).jsonLine().contains("\"clock_offset_s\":0.0,"))
        #expect(Self.sample(offsetMs: -602_500).jsonLine().contains("\"clock_offset_s\":-602.5,"))
        #expect(Self.sample(offsetMs: 3).jsonLine().contains("\"clock_offset_s\":0.003,"))
    }

    @Test func lateByWindowIsInOrderOfWindowSizeNotOfName() {
        let line = Self.sample(late: ["1h": 1, "10s": 2, "1m": 3, "5m": 4, "1d": 5]).jsonLine()
        #expect(line.contains("\"late_by_window\":{\"10s\":2,\"1m\":3,\"5m\":4,\"1h\":1,\"1d\":5}"))
    }

    @Test func aTimeNotKnownYetIsWrittenAsNullAndReadBackAsNever() throws {
        var d = Self.sample()
        d.lastEventMs = DeviceHealth.never
        d.watermarkMs = DeviceHealth.never
        let line = d.jsonLine()
        #expect(line.contains("\"last_event\":null,\"watermark\":null,"))
        #expect(try Self.read(line).get() == d)
    }

    @Test func theFileHasOneLinePerDeviceSortedBySiteThenDevice() {
        let devices = [
            Self.sample(site: "hcmc", device: "a"), Self.sample(site: "hanoi", device: "b"),
            Self.sample(site: "hanoi", device: "a"),
        ]
        let text = String(decoding: DeviceHealth.jsonLines(devices), as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        let names = text.split(separator: "\n").map { try! Self.read(String($0)).get() }.map { "\($0.site)/\($0.device)" }
        #expect(names == ["hanoi/a", "hanoi/b", "hcmc/a"])
    }

    @Test func aLineReadsBackToTheSameValuesWhateverTheNames() throws {
        for (site, device) in [("Hà Nội", "trạm \"1\""), ("esc\u{1B}[31m", "tab\there\\"), ("rlo\u{202E}x", "nl\nx\u{2028}")] {
            let d = Self.sample(site: site, device: device, offsetMs: -602_500)
            let line = d.jsonLine()
            #expect(!line.contains("\n") && !line.contains("\u{1B}"))
            #expect(try Self.read(line).get() == d)
        }
    }

    @Test func unknownKeysAreIgnored() throws {
        let line = Self.sample().jsonLine().dropLast() + ",\"firmware\":{\"v\":[1,2]},\"note\":null}"
        #expect(try Self.read(String(line)).get() == Self.sample())
    }

    /// The sample's line as (key, value text) pairs.
    static let members: [(String, String)] = [
        ("site", "\"hanoi\""), ("device", "\"aq-hanoi-001\""), ("last_arrival", "\"2026-11-24T06:00:00.000Z\""),
        ("last_event", "\"2026-11-24T06:04:00.000Z\""), ("watermark", "\"2026-11-24T06:04:00.500Z\""),
        ("clock_offset_s", "240.0"), ("messages", "2400"), ("readings", "7200"), ("duplicates", "3"), ("gaps", "4"),
        ("restarts", "1"), ("too_late", "5"), ("late_by_window", "{\"10s\":7,\"1m\":2,\"1h\":0}"),
        ("dead_letters", "6"), ("open_windows", "9"),
    ]

    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    @Test func aMissingKeyIsAnErrorNamingIt() throws {
        #expect(try Self.read(Self.object(Self.members)).get() == Self.sample())
        #expect(Self.members.map(\.0) == DeviceHealth.jsonKeys)
        for key in DeviceHealth.jsonKeys {
            guard case .failure(let error) = Self.read(Self.object(Self.members.filter { $0.0 != key })) else {
                Issue.record("read a line without '\(key)'")
                continue
            }
            #expect(error.reason.contains("'\(key)'"), "\(error)")
        }
    }

    @Test func ofAKeyGivenTwiceTheFirstCounts() throws {
        let line = Self.object(Self.members + [("messages", "1"), ("site", "\"other\"")])
        #expect(try Self.read(line).get() == Self.sample())
    }

    @Test func aValueOfTheWrongKindIsAnErrorNamingItsKey() {
        let line = Self.sample().jsonLine()
        let cases = [
            ("\"messages\":2400", "\"messages\":\"2400\"", "messages"),
            ("\"gaps\":4", "\"gaps\":-4", "gaps"),
            ("\"restarts\":1", "\"restarts\":1.5", "restarts"),
            ("\"last_arrival\":\"2026-11-24T06:00:00.000Z\"", "\"last_arrival\":\"yesterday\"", "last_arrival"),
            ("\"clock_offset_s\":240.0", "\"clock_offset_s\":\"fast\"", "clock_offset_s"),
            ("\"10s\":7", "\"10s\":true", "late_by_window.10s"),
        ]
        for (from, to, key) in cases {
            let bad = line.replacingOccurrences(of: from, with: to)
            #expect(bad != line)
            guard case .failure(let error) = Self.read(bad) else {
                Issue.record("read \(bad)")
                continue
            }
            #expect(error.reason.contains(key), "\(error)")
        }
    }

    @Test func textThatIsNotOneObjectIsAnError() {
        for text in ["", "[]", "{\"site\":\"a\"", Self.sample().jsonLine() + "x"] {
            guard case .failure = Self.read(text) else {
                Issue.record("read \(text)")
                continue
            }
        }
    }

    @Test func lateCountsTheWindowMissesOverAllSizes() {
        #expect(Self.sample(late: ["10s": 7, "1m": 2, "1h": 0]).late == 9)
    }
}
